import { InvalidArgumentError } from '../errors.js';

/*
 * xoshiro128** 1.1 (Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 2021; reference C code at https://prng.di.unimi.it/xoshiro128starstar.c). 128 bits of state, period
 * 2^128 - 1, 32-bit outputs, and only 32-bit integer operations (Math.imul, shifts, xor), so every
 * JavaScript engine on every platform produces the same stream and no BigInt is needed per number.
 * Version 1.1 scrambles state word 1 (version 1.0 used word 0 and had a known weakness).
 */

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The xoshiro128** 1.1 generator over four 32-bit state words. */
export class Xoshiro128StarStar {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Starts from the given state words (taken modulo 2^32); they must not all be zero. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new InvalidArgumentError('Xoshiro128StarStar state', 'all four words are zero, the one state the generator cannot leave; seed it with any other value.');
    }
  }

  /** The next output as an unsigned 32-bit integer. */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** The next output as a signed 32-bit integer (same bits as {@link nextUint32}, cheaper to use in int math). */
  nextInt32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** The current state words as unsigned integers (s0, s1, s2, s3). */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}
