import { InvalidArgumentError } from '../errors.js';
import { checkDimension } from './check.js';
import type { RidgeOptions } from './ridge.js';
import { SpdSolver } from './spd-solver.js';

/** Options of {@link solveSPD}: ridge regularisation and the number of right-hand sides. */
export interface SolveSpdOptions extends RidgeOptions {
  /** Number of right-hand sides: B is row-major n×nrhs. Default: b.length / n. */
  readonly nrhs?: number;
}

/**
 * Solves (A + λI)·X = B for symmetric positive-definite A (row-major n×n) once. B holds one
 * right-hand side per column (row-major n×nrhs; a plain vector when nrhs = 1). To solve against the
 * same A repeatedly, build one {@link SpdSolver} instead.
 */
export function solveSPD(a: Float64Array, b: Float64Array, n: number, options: SolveSpdOptions = {}): Float64Array {
  checkDimension('solveSPD', 'n', n);
  const nrhs = options.nrhs ?? (n === 0 ? 0 : b.length / n);
  if (options.nrhs === undefined && !Number.isSafeInteger(nrhs)) {
    throw new InvalidArgumentError('solveSPD(b)', `b has ${b.length} numbers, not a multiple of n = ${n}; pass an n×nrhs row-major matrix.`);
  }
  return new SpdSolver(a, n, options).solve(b, nrhs);
}
