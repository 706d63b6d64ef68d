import type { DType, TensorData, TypedArrayFor } from '@perfusion/tensor-core';
import { DTYPE_BYTES, viewTypedArray } from '@perfusion/tensor-core';

// ONNX stores payloads little-endian; typed arrays use the host's byte order.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of a typed array's contents as little-endian bytes. */
export function toLittleEndian(data: TensorData): Uint8Array {
  // new Uint8Array(view) copies; Buffer#slice would not.
  const bytes = new Uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!HOST_IS_LITTLE_ENDIAN) swapInPlace(bytes, data.BYTES_PER_ELEMENT);
  return bytes;
}

/**
 * A typed array of `dtype` holding little-endian `bytes`. Copies unless `owned` says the caller
 * gives up `bytes` (a buffer it just allocated): a view into a decoded model must not be shared,
 * and may be unaligned, which a typed array cannot wrap.
 */
export function fromLittleEndian<D extends DType>(bytes: Uint8Array, dtype: D, owned = false): TypedArrayFor<D> {
  const width = DTYPE_BYTES[dtype];
  const own = owned && bytes.byteOffset % width === 0 ? bytes : new Uint8Array(bytes);
  if (!HOST_IS_LITTLE_ENDIAN) swapInPlace(own, width);
  return viewTypedArray(dtype, own.buffer, own.byteOffset, own.length / width);
}

function swapInPlace(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
