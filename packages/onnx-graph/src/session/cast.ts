import { Tensor, toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import { TensorCastError } from './errors.js';

/**
 * `t` as a `to` tensor: the same tensor when it already is one (no copy), otherwise a new tensor
 * converted elementwise (float32 → float16 rounds to nearest even; float16 → float32 is exact).
 * Used at session boundaries: fp16 graphs take and return float16, callers keep float32.
 * @throws TensorCastError when `t` is not a float32 or float16 tensor.
 */
export function castFloatTensor(t: Tensor, to: 'float32'): Tensor<'float32'>;
export function castFloatTensor(t: Tensor, to: 'float16'): Tensor<'float16'>;
export function castFloatTensor(t: Tensor, to: 'float32' | 'float16'): Tensor<'float32'> | Tensor<'float16'>;
export function castFloatTensor(t: Tensor, to: 'float32' | 'float16'): Tensor<'float32'> | Tensor<'float16'> {
  if (to !== 'float32' && to !== 'float16') {
    throw new TensorCastError(`castFloatTensor: target dtype must be 'float32' or 'float16', got '${String(to)}'.`);
  }
  if (t.is('float32')) return to === 'float32' ? t : new Tensor('float16', toFloat16Array(t.data), t.shape);
  if (t.is('float16')) return to === 'float16' ? t : new Tensor('float32', toFloat32Array(t.data), t.shape);
  throw new TensorCastError(
    `castFloatTensor: a ${t.dtype}[${t.shape.join(', ')}] tensor is not floating point; only float32 and float16 tensors are cast between each other.`,
  );
}
