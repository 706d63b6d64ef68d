import { InvalidArgumentError } from '../errors.js';
import { checkDimension, checkMatrix } from './check.js';
import { cholesky } from './cholesky.js';
import { effectiveRidge, withRidge, type RidgeOptions } from './ridge.js';
import { backSubstituteTransposedInPlace, forwardSubstituteInPlace } from './triangular.js';

/**
 * Solves (A + λI)·x = b for one symmetric positive-definite A and many right-hand sides: A is
 * factored once (Cholesky) at construction, each solve is two triangular solves, O(n²) per vector.
 * The typical use is C⁻¹·x for a fixed 768×768 covariance C. λ comes from {@link RidgeOptions}.
 * A itself is never modified.
 */
export class SpdSolver {
  /** Order of the matrix. */
  readonly n: number;
  /** The λ that was added to the diagonal (absolute, after resolving `relativeRidge`). */
  readonly ridge: number;
  /** The Cholesky factor L of A + λI (row-major n×n, lower triangular). Do not modify. */
  readonly factor: Float64Array;

  /** Factors `a` (row-major n×n; lower triangle read). Throws `NotPositiveDefiniteError` if A + λI is not SPD. */
  constructor(a: Float64Array, n: number, options: RidgeOptions = {}) {
    checkDimension('SpdSolver', 'n', n);
    checkMatrix('SpdSolver(a)', a, n, n);
    this.n = n;
    this.ridge = effectiveRidge(a, n, options);
    this.factor = cholesky(withRidge(a, n, this.ridge), n);
  }

  /**
   * Solves for the columns of B (row-major n×nrhs; with nrhs = 1 a vector of length n).
   * Returns X of the same layout.
   */
  solve(b: Float64Array, nrhs = 1): Float64Array {
    checkDimension('SpdSolver.solve', 'nrhs', nrhs);
    checkMatrix('SpdSolver.solve(b)', b, this.n, nrhs);
    const x = b.slice();
    forwardSubstituteInPlace(this.factor, x, this.n, nrhs);
    backSubstituteTransposedInPlace(this.factor, x, this.n, nrhs);
    return x;
  }

  /**
   * Solves for each row of `rows` (row-major count×n, one right-hand side per row, the layout of a
   * stack of embeddings). Returns the solutions in the same layout. Since A is symmetric this is
   * also rows·(A + λI)⁻¹.
   */
  solveRows(rows: Float64Array): Float64Array {
    const n = this.n;
    if (n === 0 ? rows.length !== 0 : rows.length % n !== 0) {
      throw new InvalidArgumentError('SpdSolver.solveRows(rows)', `${rows.length} numbers do not split into rows of length ${n}.`);
    }
    const x = rows.slice();
    for (let start = 0; start < x.length; start += n) {
      const row = x.subarray(start, start + n);
      forwardSubstituteInPlace(this.factor, row, n, 1);
      backSubstituteTransposedInPlace(this.factor, row, n, 1);
    }
    return x;
  }
}
