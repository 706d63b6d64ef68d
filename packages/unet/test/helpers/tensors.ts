import { Rng, Tensor } from '@perfusion/tensor-core';

/** Seeded standard-normal float32 tensor. */
export function normalTensor(seed: number, shape: number[]): Tensor<'float32'> {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  new Rng(seed).fillNormal(data);
  return new Tensor('float32', data, shape);
}

/** Largest |a[i] − b[i]|; throws on a length mismatch so a wrong shape cannot pass as "close". */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Concatenates float32 tensors along dim 0. */
export function concatRows(parts: Tensor<'float32'>[]): Tensor<'float32'> {
  const data = new Float32Array(parts.reduce((n, p) => n + p.size, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.size;
  }
  return new Tensor('float32', data, [parts.reduce((n, p) => n + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)]);
}
