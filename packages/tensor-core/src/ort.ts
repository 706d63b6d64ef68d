import { createRequire } from 'node:module';
import type { Tensor as OrtTensor } from 'onnxruntime-common';
import { DTYPES, isDType, type DType, type TensorData } from './dtype.js';
import { InvalidArgumentError, OrtTensorLocationError, UnsupportedDTypeError } from './errors.js';
import { Tensor } from './tensor.js';

/*
 * Conversion between tensor-core tensors and onnxruntime tensors. onnxruntime-node re-exports the
 * Tensor class of onnxruntime-common, so tensors built here feed its sessions directly.
 *
 * onnxruntime-common ships a CommonJS and an ES module build, and each defines its own Tensor class.
 * onnxruntime-node is CommonJS and require()s the CommonJS build, while an `import` from here would
 * load the ES build: the tensors would then fail `instanceof ort.Tensor`, and InferenceSession.run
 * would mistake preallocated output tensors for an options object. So the class is loaded with
 * require() too, which makes it the very class onnxruntime-node's sessions check against.
 *
 * No data is copied for any dtype: both sides store float32, int64, int32, uint8 and bool (one byte
 * per element) in the same typed arrays, and float16 as Uint16Array bit patterns. Where a runtime
 * has Float16Array, onnxruntime-common wraps a Uint16Array in a Float16Array view of the same
 * buffer, and fromOrtTensor takes a Uint16Array view of it back.
 */

/** The ORT tensor type strings tensor-core can represent: the same names as {@link DType}. */
const SUPPORTED: readonly string[] = DTYPES;

const require = createRequire(import.meta.url);
const ortCommon = require('onnxruntime-common') as typeof import('onnxruntime-common');

// onnxruntime-common types its constructor with one overload per element type; one signature that
// takes any of ours keeps the call below a single line instead of a switch over identical calls.
const OrtTensorConstructor = ortCommon.Tensor as unknown as new (type: DType, data: TensorData, dims: readonly number[]) => OrtTensor;

/**
 * An onnxruntime tensor over the same buffer as `t` (no copy). `bool` data must hold only 0 and 1,
 * which is checked because onnxruntime reads the bytes as C++ `bool`.
 */
export function toOrtTensor(t: Tensor): OrtTensor {
  if (!isDType(t.dtype)) throw new UnsupportedDTypeError(String(t.dtype), SUPPORTED, 'toOrtTensor');
  if (t.dtype === 'bool') {
    const bytes = t.data as Uint8Array;
    const bad = bytes.findIndex((byte) => byte > 1);
    if (bad >= 0) {
      throw new InvalidArgumentError('toOrtTensor(bool tensor)', `element ${bad} is ${bytes[bad]}; bool data must be 0 or 1 (Tensor.from('bool', ...) normalises).`);
    }
  }
  return new OrtTensorConstructor(t.dtype, t.data, t.shape);
}

/**
 * A tensor-core tensor over the same buffer as the CPU tensor `o` (no copy). Throws
 * {@link UnsupportedDTypeError} for element types tensor-core does not model (float64, int8, string,
 * ...) and {@link OrtTensorLocationError} for tensors whose data lives on a GPU.
 */
export function fromOrtTensor(o: OrtTensor): Tensor {
  if (o.location !== 'cpu' && o.location !== 'cpu-pinned') throw new OrtTensorLocationError(o.location);
  const dtype = o.type;
  if (!isDType(dtype)) throw new UnsupportedDTypeError(dtype, SUPPORTED, 'fromOrtTensor');
  const data = o.data as ArrayBufferView & { length: number };
  if (dtype === 'float16' && !(data instanceof Uint16Array)) {
    // A Float16Array (runtimes that have one): view its bits; 2 bytes per element either way.
    return new Tensor(dtype, new Uint16Array(data.buffer, data.byteOffset, data.length), o.dims);
  }
  return new Tensor(dtype, data as TensorData, o.dims);
}
