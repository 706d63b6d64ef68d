import { Tensor, type DType } from '@perfusion/tensor-core';

/** Rows `[start, start + count)` of `t` along dim 0, as a view of the same buffer (no copy). */
export function rowsOf<D extends DType>(t: Tensor<D>, start: number, count: number): Tensor<D> {
  if (start === 0 && count === t.shape[0]) return t;
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = t.data.subarray(start * rowSize, (start + count) * rowSize) as Tensor<D>['data'];
  return new Tensor(t.dtype, data, [count, ...t.shape.slice(1)]);
}

/** Writes `copies` consecutive copies of `src` into `out` (length `copies × src.length`) and returns it. */
export function repeatInto(src: Float32Array, copies: number, out: Float32Array): Float32Array {
  for (let c = 0; c < copies; c++) out.set(src, c * src.length);
  return out;
}
