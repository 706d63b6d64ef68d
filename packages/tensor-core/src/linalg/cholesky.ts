import { NotPositiveDefiniteError } from '../errors.js';
import { checkDimension, checkMatrix } from './check.js';

/**
 * The lower-triangular Cholesky factor L of a symmetric positive-definite matrix A = L·Lᵀ
 * (row-major n×n; only the lower triangle of A is read). Returns a new n×n array whose strict upper
 * triangle is zero. Throws {@link NotPositiveDefiniteError} naming the first pivot that is not
 * strictly positive and finite.
 *
 * Computed row by row (Cholesky–Banachiewicz): every entry is A[i][j] minus the dot product of
 * row i and row j of L up to column j, and both rows are contiguous in row-major storage. This
 * factors a 768×768 matrix in well under a second.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  checkDimension('cholesky', 'n', n);
  checkMatrix('cholesky(a)', a, n, n);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      // Four partial sums break the dependency chain of one accumulator (about twice as fast).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < j; k += 4) {
        s0 += l[rowI + k]! * l[rowJ + k]!;
        s1 += l[rowI + k + 1]! * l[rowJ + k + 1]!;
        s2 += l[rowI + k + 2]! * l[rowJ + k + 2]!;
        s3 += l[rowI + k + 3]! * l[rowJ + k + 3]!;
      }
      for (; k < j; k++) s0 += l[rowI + k]! * l[rowJ + k]!;
      const rest = a[rowI + j]! - (s0 + s1 + (s2 + s3));
      if (j < i) {
        l[rowI + j] = rest / l[rowJ + j]!;
      } else {
        if (!(rest > 0 && rest < Infinity)) throw new NotPositiveDefiniteError(i, rest, n);
        l[rowI + i] = Math.sqrt(rest);
      }
    }
  }
  return l;
}
