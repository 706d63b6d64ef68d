import { InvalidArgumentError } from '../errors.js';

const MIN_SIGNED_64 = -(1n << 63n);
const MAX_UNSIGNED_64 = (1n << 64n) - 1n;

/**
 * The unsigned 64-bit key of a seed. Numbers must be safe integers; bigints must fit in 64 bits
 * (signed or unsigned). Negative seeds map to their two's complement, so -1 and 2^64-1 are one seed.
 */
export function seedToUint64(seed: number | bigint, where: string): bigint {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(where, `seed ${seed} is not a safe integer; pass an integer number or a bigint.`);
    }
    return BigInt.asUintN(64, BigInt(seed));
  }
  if (typeof seed === 'bigint') {
    if (seed < MIN_SIGNED_64 || seed > MAX_UNSIGNED_64) {
      throw new InvalidArgumentError(where, `seed ${seed} does not fit in 64 bits; reduce it modulo 2^64.`);
    }
    return BigInt.asUintN(64, seed);
  }
  throw new InvalidArgumentError(where, `seed must be a number or a bigint, got ${typeof seed}.`);
}
