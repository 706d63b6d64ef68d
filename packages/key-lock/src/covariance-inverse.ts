import { SpdSolver } from '@perfusion/tensor-core';
import { checkCount, checkEncoding, checkFinite, checkLength, dot, type FloatArray } from './checks.js';
import type { CovarianceEstimate } from './covariance-accumulator.js';
import { KeyLockArgumentError } from './errors.js';

/** The ridge used when none is given: 1e-4 × the mean diagonal entry of C. */
export const DEFAULT_RELATIVE_RIDGE = 1e-4;

/** Options of {@link CovarianceInverse}: the ridge λ added to C's diagonal is `ridge` + `relativeRidge` × mean(diag C). */
export interface CovarianceInverseOptions {
  /** Fraction of C's mean diagonal entry added to every diagonal entry (default {@link DEFAULT_RELATIVE_RIDGE}). */
  readonly relativeRidge?: number;
  /** Absolute amount added to every diagonal entry (default 0). */
  readonly ridge?: number;
}

/**
 * x ↦ (C + λI)⁻¹ x for the covariance C of text encodings, factored once (Cholesky, through
 * tensor-core's {@link SpdSolver}) and applied as often as needed (O(d²) per vector).
 *
 * **Why a ridge.** C is an average of e eᵀ over a finite corpus. With d = 768 and a few thousand
 * captions (tens of thousands of token rows) it is usually full rank, but nothing guarantees it: a
 * small or repetitive corpus, a text encoder whose final LayerNorm confines its outputs near a
 * hyperplane, or fp16 encodings leave eigenvalues that are tiny or only noise, and C⁻¹ multiplies
 * exactly those directions the most — sim(e) would then swing on directions the corpus never
 * explored, and Cholesky can fail outright on a singular C. Adding λ = 1e-4 × mean(diag C) bounds
 * C⁻¹'s largest eigenvalue by 1/λ while changing the well-sampled directions by about 0.01%. Since
 * λ scales with C, the overall scale of C still cancels out of sim.
 */
export class CovarianceInverse {
  /** d. */
  readonly dim: number;
  /** The λ that was added to C's diagonal (absolute). */
  readonly ridge: number;
  private readonly solver: SpdSolver;

  /** Factors C + λI for C row-major d × d (symmetric; its lower triangle is read). */
  constructor(covariance: Float64Array, dim: number, options: CovarianceInverseOptions = {}) {
    checkCount('CovarianceInverse(dim)', dim, 1);
    checkLength('CovarianceInverse(covariance)', covariance, dim * dim, `a row-major ${dim} × ${dim} matrix`);
    checkFinite('CovarianceInverse(covariance)', covariance);
    const relativeRidge = options.relativeRidge ?? DEFAULT_RELATIVE_RIDGE;
    const ridge = options.ridge ?? 0;
    for (const [name, value] of [['relativeRidge', relativeRidge], ['ridge', ridge]] as const) {
      if (!Number.isFinite(value) || value < 0) {
        throw new KeyLockArgumentError(`CovarianceInverse(options.${name})`, `${value} is not a finite number >= 0.`);
      }
    }
    this.dim = dim;
    this.solver = new SpdSolver(covariance, dim, { relativeRidge, ridge });
    this.ridge = this.solver.ridge;
  }

  /** The inverse of a {@link CovarianceEstimate} (what `CovarianceAccumulator.finalize()` returns). */
  static fromEstimate(estimate: Pick<CovarianceEstimate, 'matrix' | 'dim'>, options: CovarianceInverseOptions = {}): CovarianceInverse {
    return new CovarianceInverse(estimate.matrix, estimate.dim, options);
  }

  /** (C + λI)⁻¹ x for one vector x of length d. */
  apply(x: FloatArray): Float64Array {
    checkEncoding('CovarianceInverse.apply(x)', x, this.dim);
    return this.solver.solve(Float64Array.from(x));
  }

  /** (C + λI)⁻¹ applied to every row of `rows` (row-major n × d); same layout back. */
  applyRows(rows: FloatArray): Float64Array {
    if (rows.length % this.dim !== 0) checkEncoding('CovarianceInverse.applyRows(rows)', rows, this.dim);
    return this.solver.solveRows(Float64Array.from(rows));
  }

  /** xᵀ (C + λI)⁻¹ y. */
  innerProduct(x: FloatArray, y: FloatArray): number {
    checkEncoding('CovarianceInverse.innerProduct(x)', x, this.dim);
    return dot(x, this.apply(y));
  }
}
