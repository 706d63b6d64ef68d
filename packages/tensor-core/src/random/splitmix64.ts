/*
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
 * in the form Vigna recommends for seeding xoshiro generators. It runs only when a stream is
 * created or forked, never per number, so it uses BigInt for clarity over speed.
 */

const MASK_64 = (1n << 64n) - 1n;

/** The Weyl-sequence increment of SplitMix64 (2^64 divided by the golden ratio, made odd). */
export const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function: a bijective 64-bit mixer with strong avalanche. */
export function mix64(value: bigint): bigint {
  let z = value & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/** The SplitMix64 generator: 64-bit outputs as unsigned bigints. */
export class SplitMix64 {
  private state: bigint;

  /** `seed` is taken modulo 2^64. */
  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  /** The next 64-bit output. */
  next(): bigint {
    this.state = (this.state + GOLDEN_GAMMA) & MASK_64;
    return mix64(this.state);
  }
}
