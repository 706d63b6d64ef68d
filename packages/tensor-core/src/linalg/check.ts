import { DimensionMismatchError, InvalidArgumentError } from '../errors.js';

/** Throws unless `value` is an integer >= 0 (a matrix dimension). */
export function checkDimension(where: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(where, `${name} is ${value}; matrix dimensions are integers >= 0.`);
  }
}

/** Throws unless `array` holds exactly `rows × cols` numbers. */
export function checkMatrix(argument: string, array: ArrayLike<number>, rows: number, cols: number): void {
  if (array.length !== rows * cols) {
    throw new DimensionMismatchError(argument, rows * cols, array.length, `a ${rows}×${cols} row-major matrix`);
  }
}
