import { NonFiniteValueError } from '../errors.js';
import { CovarianceFileError } from './errors.js';
import { COVARIANCE_TENSORS as TENSOR } from './layout.js';

/** Relative tolerance of the symmetry check: |C_ij − C_ji| ≤ this × max |C_kk|. */
export const SYMMETRY_TOLERANCE = 1e-6;

/**
 * Checks that `matrix` (row-major d × d) is a covariance: finite, symmetric within
 * {@link SYMMETRY_TOLERANCE} of its largest diagonal entry, with a non-negative diagonal.
 */
export function checkCovarianceMatrix(file: string, matrix: ArrayLike<number>, dim: number, advice: string): void {
  let scale = 0;
  for (let i = 0; i < matrix.length; i++) {
    const v = matrix[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteValueError(file, TENSOR.matrix, i, v, advice);
  }
  for (let i = 0; i < dim; i++) {
    const c = matrix[i * dim + i]!;
    if (c < 0) {
      throw new CovarianceFileError(file, TENSOR.matrix, `diagonal entry ${i} is ${c}; a covariance has a non-negative diagonal (${advice})`);
    }
    scale = Math.max(scale, c);
  }
  const tolerance = SYMMETRY_TOLERANCE * scale;
  for (let i = 0; i < dim; i++) {
    for (let j = i + 1; j < dim; j++) {
      const a = matrix[i * dim + j]!;
      const b = matrix[j * dim + i]!;
      if (Math.abs(a - b) > tolerance) {
        throw new CovarianceFileError(
          file,
          TENSOR.matrix,
          `is not symmetric: entry [${i}, ${j}] is ${a} but [${j}, ${i}] is ${b}; a covariance is symmetric (${advice})`,
        );
      }
    }
  }
}

/** An integer ≥ `min` (a count), or a {@link CovarianceFileError} naming `field`. */
export function checkInteger(file: string, field: string, value: unknown, min: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new CovarianceFileError(file, field, `must be an integer >= ${min} (${what}), got ${describe(value)}.`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
