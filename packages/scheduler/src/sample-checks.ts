import { SchedulerArgumentError, UnsupportedSchedulerOptionError } from './errors.js';

/** Throws unless `array` has `expected` elements: samples, model outputs and noise must line up. */
export function requireLength(argument: string, array: ArrayLike<number>, expected: number): void {
  if (array.length !== expected) {
    throw new SchedulerArgumentError(
      argument,
      `has ${array.length} elements but the sample has ${expected}; pass arrays of the same latent shape.`,
    );
  }
}

/** A preallocated scratch buffer of `length` elements, reusing `current` when it already fits. */
export function scratch<T extends Float32Array | Float64Array>(
  current: T | undefined,
  length: number,
  create: (length: number) => T,
): T {
  return current !== undefined && current.length === length ? current : create(length);
}

/**
 * Throws {@link UnsupportedSchedulerOptionError} when a setting holds a value this package does not
 * implement, rather than silently sampling differently from diffusers.
 */
export function requireSupported<T>(scheduler: string, key: string, value: T, supported: readonly T[], hint: string): void {
  if (!supported.includes(value)) throw new UnsupportedSchedulerOptionError(scheduler, key, value, hint);
}
