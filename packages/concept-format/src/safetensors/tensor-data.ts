import { allocateTypedArray, Tensor, type DType } from '@perfusion/tensor-core';
import { TensorDTypeError } from '../errors.js';
import { SAFETENSORS_DTYPE_BYTES, SAFETENSORS_DTYPE_OF, TENSOR_CORE_DTYPE_OF, type SafetensorsDType } from './dtypes.js';
import type { SafetensorsTensor } from './read.js';

/**
 * Converts between tensor-core {@link Tensor}s and safetensors' little-endian bytes. Reads and
 * writes go through a DataView, so the result is the same on any host byte order and the file's
 * bytes need no alignment. float16 stays raw half bits (tensor-core's Uint16Array), never rounded.
 */

/** A copy of a safetensors tensor as a tensor-core Tensor (F32, F16, I64, I32, U8 and BOOL). */
export function toTensor(tensor: SafetensorsTensor, source = '<bytes>'): Tensor {
  const dtype = TENSOR_CORE_DTYPE_OF[tensor.dtype];
  if (dtype === undefined) {
    throw new TensorDTypeError(
      source,
      `${tensor.name}.dtype`,
      tensor.dtype,
      Object.keys(TENSOR_CORE_DTYPE_OF),
      'tensor-core has no representation for it; read its raw `bytes` instead.',
    );
  }
  const count = tensor.bytes.length / SAFETENSORS_DTYPE_BYTES[tensor.dtype];
  return new Tensor(dtype, decode(dtype, tensor.bytes, count), tensor.shape);
}

/** The little-endian bytes of a tensor-core Tensor, with its safetensors dtype. */
export function tensorBytes(tensor: Tensor): { dtype: SafetensorsDType; bytes: Uint8Array } {
  return { dtype: SAFETENSORS_DTYPE_OF[tensor.dtype], bytes: encode(tensor) };
}

/** float32 values as little-endian F32 bytes. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** float16 bit patterns as little-endian F16 bytes. */
export function float16Bytes(bits: Uint16Array): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < bits.length; i++) view.setUint16(i * 2, bits[i]!, true);
  return out;
}

function decode(dtype: DType, bytes: Uint8Array, count: number): Tensor['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32': {
      const out = allocateTypedArray('float32', count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'float16': {
      const out = allocateTypedArray('float16', count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      return out;
    }
    case 'int64': {
      const out = allocateTypedArray('int64', count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
    case 'int32': {
      const out = allocateTypedArray('int32', count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'uint8':
    case 'bool':
      return Uint8Array.from(bytes);
  }
}

function encode(tensor: Tensor): Uint8Array {
  const width = SAFETENSORS_DTYPE_BYTES[SAFETENSORS_DTYPE_OF[tensor.dtype]];
  const out = new Uint8Array(tensor.size * width);
  const view = new DataView(out.buffer);
  const data = tensor.data;
  switch (tensor.dtype) {
    case 'float32':
      return float32Bytes(data as Float32Array);
    case 'float16':
      return float16Bytes(data as Uint16Array);
    case 'int64':
      for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, (data as BigInt64Array)[i]!, true);
      return out;
    case 'int32':
      for (let i = 0; i < data.length; i++) view.setInt32(i * 4, (data as Int32Array)[i]!, true);
      return out;
    case 'uint8':
    case 'bool':
      out.set(data as Uint8Array);
      return out;
  }
}
