import { Rng } from '@perfusion/tensor-core';
import { CovarianceAccumulator, CovarianceInverse, conceptDirection, type ConceptDirection } from '@perfusion/key-lock';

/** A random but well-conditioned uncentred covariance of d-vectors (from 20·d random rows with an offset). */
export function randomCovariance(d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const offset = rng.fillNormal(new Float64Array(d));
  const acc = new CovarianceAccumulator(d);
  const row = new Float64Array(d);
  for (let r = 0; r < 20 * d; r++) {
    rng.fillNormal(row);
    for (let j = 0; j < d; j++) row[j] = row[j]! * (1 + j / d) + offset[j]!;
    acc.add(row);
  }
  return acc.finalize().matrix;
}

export function randomVector(d: number, rng: Rng, scale = 1): Float64Array {
  return rng.fillNormal(new Float64Array(d)).map((v) => v * scale);
}

/** x minus its C⁻¹-projections on `along` (mutually C⁻¹-orthogonal directions): yᵀ C⁻¹ a = 0 for each a. */
export function cInvOrthogonalise(x: Float64Array, along: readonly ConceptDirection[]): Float64Array {
  const y = x.slice();
  for (let pass = 0; pass < 2; pass++) {
    for (const a of along) {
      const c = dotOf(y, a.simVector); // yᵀ C⁻¹ a / aᵀ C⁻¹ a
      for (let i = 0; i < y.length; i++) y[i] -= c * a.input[i]!;
    }
  }
  return y;
}

export function dotOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** x · W for W [d, width] row-major, in float64. */
export function times(x: ArrayLike<number>, w: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let i = 0; i < x.length; i++) for (let c = 0; c < width; c++) out[c] += x[i]! * w[i * width + c]!;
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** A small random setup: d, C⁻¹, and helpers to make concept directions. */
export function setup(d: number, seed: number) {
  const rng = new Rng(seed);
  const covariance = randomCovariance(d, seed + 1);
  const cInv = new CovarianceInverse(covariance, d);
  const direction = (input: Float64Array, name?: string) => conceptDirection(input, cInv, name);
  return { rng, covariance, cInv, direction };
}
