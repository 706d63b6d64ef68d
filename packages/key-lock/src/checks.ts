import { KeyLockArgumentError, KeyLockDimensionError } from './errors.js';

/** The float arrays this package reads: float32 (what models produce) or float64. */
export type FloatArray = Float32Array | Float64Array;

/** Throws unless `value` is an integer >= `min`. */
export function checkCount(argument: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new KeyLockArgumentError(argument, `${value} is not an integer >= ${min}.`);
  }
}

/** Throws unless `vector` has exactly `d` entries (an encoding of the covariance's width). */
export function checkEncoding(argument: string, vector: ArrayLike<number>, d: number): void {
  if (vector.length !== d) {
    throw new KeyLockDimensionError(
      argument,
      'd',
      d,
      vector.length,
      'text encodings, concept inputs and the covariance must come from the same text encoder.',
    );
  }
}

/** Throws unless `array` has exactly `expected` numbers; `what` describes the layout. */
export function checkLength(argument: string, array: ArrayLike<number>, expected: number, what: string): void {
  if (array.length !== expected) {
    throw new KeyLockDimensionError(argument, 'numbers', expected, array.length, `it must hold ${what}.`);
  }
}

/** Throws unless every entry of `array` is finite. */
export function checkFinite(argument: string, array: ArrayLike<number>): void {
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i]!)) {
      throw new KeyLockArgumentError(argument, `entry ${i} is ${array[i]}; every entry must be a finite number.`);
    }
  }
}

/** Dot product of `a` (from `offsetA`) with `b`, over `b.length` entries, in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, offsetA = 0): number {
  const n = b.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[offsetA + i]! * b[i]!;
    s1 += a[offsetA + i + 1]! * b[i + 1]!;
    s2 += a[offsetA + i + 2]! * b[i + 2]!;
    s3 += a[offsetA + i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[offsetA + i]! * b[i]!;
  return s0 + s1 + (s2 + s3);
}
