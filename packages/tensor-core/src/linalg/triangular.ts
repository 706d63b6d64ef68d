import { InvalidArgumentError } from '../errors.js';
import { checkDimension, checkMatrix } from './check.js';

/*
 * Triangular solves for one or many right-hand sides. The right-hand side B is row-major n×nrhs:
 * each column is one system, so with nrhs = 1 it is a plain vector. Every update touches a whole
 * row of X and a row of the triangular matrix, which keeps all inner loops contiguous.
 */

function checkSolveArguments(where: string, t: Float64Array, b: Float64Array, n: number, nrhs: number): void {
  checkDimension(where, 'n', n);
  checkDimension(where, 'nrhs', nrhs);
  checkMatrix(`${where}(matrix)`, t, n, n);
  checkMatrix(`${where}(b)`, b, n, nrhs);
  for (let i = 0; i < n; i++) {
    const pivot = t[i * n + i]!;
    if (pivot === 0 || !Number.isFinite(pivot)) {
      throw new InvalidArgumentError(`${where}(matrix)`, `diagonal entry ${i} is ${pivot}; a triangular solve needs finite non-zero diagonal entries.`);
    }
  }
}

/** In place: X ← L⁻¹·X for lower-triangular L (forward substitution). Arguments are not checked. */
export function forwardSubstituteInPlace(l: Float64Array, x: Float64Array, n: number, nrhs: number): void {
  if (nrhs === 1) {
    // One vector: the same arithmetic in the same order as the general loop below (so results are
    // identical bit for bit), without its inner loop over columns.
    for (let i = 0; i < n; i++) {
      const rowL = i * n;
      let sum = x[i]!;
      for (let k = 0; k < i; k++) sum -= l[rowL + k]! * x[k]!;
      x[i] = sum / l[rowL + i]!;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const rowL = i * n;
    const rowX = i * nrhs;
    for (let k = 0; k < i; k++) {
      const lik = l[rowL + k]!;
      if (lik === 0) continue;
      const rowK = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[rowX + c] -= lik * x[rowK + c]!;
    }
    const pivot = l[rowL + i]!;
    for (let c = 0; c < nrhs; c++) x[rowX + c] /= pivot;
  }
}

/** In place: X ← U⁻¹·X for upper-triangular U (back substitution). Arguments are not checked. */
export function backSubstituteInPlace(u: Float64Array, x: Float64Array, n: number, nrhs: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const rowU = i * n;
    const rowX = i * nrhs;
    for (let k = i + 1; k < n; k++) {
      const uik = u[rowU + k]!;
      if (uik === 0) continue;
      const rowK = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[rowX + c] -= uik * x[rowK + c]!;
    }
    const pivot = u[rowU + i]!;
    for (let c = 0; c < nrhs; c++) x[rowX + c] /= pivot;
  }
}

/**
 * In place: X ← L⁻ᵀ·X for lower-triangular L, without forming Lᵀ: once row i of X is final it is
 * eliminated from the rows above using row i of L (Lᵀ's column i). Arguments are not checked.
 */
export function backSubstituteTransposedInPlace(l: Float64Array, x: Float64Array, n: number, nrhs: number): void {
  if (nrhs === 1) {
    for (let i = n - 1; i >= 0; i--) {
      const rowL = i * n;
      const xi = x[i]! / l[rowL + i]!;
      x[i] = xi;
      for (let k = 0; k < i; k++) x[k] -= l[rowL + k]! * xi;
    }
    return;
  }
  for (let i = n - 1; i >= 0; i--) {
    const rowL = i * n;
    const rowX = i * nrhs;
    const pivot = l[rowL + i]!;
    for (let c = 0; c < nrhs; c++) x[rowX + c] /= pivot;
    for (let k = 0; k < i; k++) {
      const lik = l[rowL + k]!;
      if (lik === 0) continue;
      const rowK = k * nrhs;
      for (let c = 0; c < nrhs; c++) x[rowK + c] -= lik * x[rowX + c]!;
    }
  }
}

/** Solves L·X = B for lower-triangular L (n×n; the strict upper triangle is not read). Returns X (n×nrhs). */
export function solveLowerTriangular(l: Float64Array, b: Float64Array, n: number, nrhs = 1): Float64Array {
  checkSolveArguments('solveLowerTriangular', l, b, n, nrhs);
  const x = b.slice();
  forwardSubstituteInPlace(l, x, n, nrhs);
  return x;
}

/** Solves U·X = B for upper-triangular U (n×n; the strict lower triangle is not read). Returns X (n×nrhs). */
export function solveUpperTriangular(u: Float64Array, b: Float64Array, n: number, nrhs = 1): Float64Array {
  checkSolveArguments('solveUpperTriangular', u, b, n, nrhs);
  const x = b.slice();
  backSubstituteInPlace(u, x, n, nrhs);
  return x;
}

/** Solves Lᵀ·X = B given lower-triangular L (as from {@link cholesky}). Returns X (n×nrhs). */
export function solveLowerTransposed(l: Float64Array, b: Float64Array, n: number, nrhs = 1): Float64Array {
  checkSolveArguments('solveLowerTransposed', l, b, n, nrhs);
  const x = b.slice();
  backSubstituteTransposedInPlace(l, x, n, nrhs);
  return x;
}
