import { InvalidArgumentError } from '../errors.js';

/**
 * Ridge (Tikhonov) regularisation for SPD solves: the system solved is (A + λ·I)·x = b with
 * λ = `ridge` + `relativeRidge` × mean(diag(A)). Both default to 0.
 *
 * - `ridge` is absolute, in the units of A's entries.
 * - `relativeRidge` scales with A's mean diagonal (its trace / n), so the same value regularises a
 *   covariance equally whatever its overall scale; 1e-6 .. 1e-3 are typical for a near-singular
 *   covariance estimated from fewer samples than its size.
 */
export interface RidgeOptions {
  /** Absolute amount added to every diagonal entry. */
  readonly ridge?: number;
  /** Amount, as a fraction of the mean diagonal entry, added to every diagonal entry. */
  readonly relativeRidge?: number;
}

/** λ for `a` (row-major n×n) under `options`; validates the options. */
export function effectiveRidge(a: Float64Array, n: number, options: RidgeOptions = {}): number {
  const ridge = options.ridge ?? 0;
  const relative = options.relativeRidge ?? 0;
  for (const [name, value] of [['ridge', ridge], ['relativeRidge', relative]] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`options.${name}`, `${value} is not a finite number >= 0.`);
    }
  }
  if (relative === 0 || n === 0) return ridge;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  return ridge + relative * (trace / n);
}

/** A copy of `a` with λ added to its diagonal, or `a` itself when λ is 0. */
export function withRidge(a: Float64Array, n: number, lambda: number): Float64Array {
  if (lambda === 0) return a;
  const shifted = a.slice();
  for (let i = 0; i < n; i++) shifted[i * n + i] += lambda;
  return shifted;
}
