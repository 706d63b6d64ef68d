import { InvalidSeedError } from './noise-errors.js';

/*
 * The seeds each imitated generator accepts, checked in one place so that the generators and
 * createNoiseSource reject the same values with the same error.
 */

const MIN_SIGNED_64 = -(1n << 63n);
const MAX_UNSIGNED_64 = (1n << 64n) - 1n;
const MAX_UNSIGNED_32 = 0xffffffffn;

function toBigInt(seed: number | bigint): bigint | undefined {
  if (typeof seed === 'bigint') return seed;
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return BigInt(seed);
  return undefined;
}

/**
 * A 64-bit seed as torch's `manual_seed` takes it (and the default Rng): an integer in
 * [-2^63, 2^64), negative values in two's complement. Returns the unsigned 64-bit value.
 */
export function uint64Seed(seed: number | bigint, where: string): bigint {
  const value = toBigInt(seed);
  if (value === undefined || value < MIN_SIGNED_64 || value > MAX_UNSIGNED_64) {
    throw new InvalidSeedError(seed, 'an integer in [-2^63, 2^64) (a number must be a safe integer)', where);
  }
  return BigInt.asUintN(64, value);
}

/** A seed as NumPy's legacy `RandomState(seed)` takes an integer: in [0, 2^32). */
export function uint32Seed(seed: number | bigint, where: string): number {
  const value = toBigInt(seed);
  if (value === undefined || value < 0n || value > MAX_UNSIGNED_32) {
    throw new InvalidSeedError(seed, 'an integer in [0, 2^32)', where);
  }
  return Number(value);
}
