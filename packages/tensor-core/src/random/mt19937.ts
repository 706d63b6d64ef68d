import { InvalidArgumentError } from '../errors.js';

/*
 * The 32-bit Mersenne Twister MT19937 (Matsumoto and Nishimura, "Mersenne Twister: a 623-dimensionally
 * equidistributed uniform pseudo-random number generator", ACM TOMACS 1998), with the 2002 seeding
 * of the reference code mt19937ar.c: init_genrand for one 32-bit word and init_by_array for a key.
 * Both torch's CPU generator and NumPy's legacy RandomState run this generator, so matching its
 * integer stream is the first half of matching their random numbers.
 *
 * Only 32-bit integer arithmetic is used (Math.imul, shifts, xor); `>>> 0` turns results back into
 * unsigned values where the state is stored, so every engine produces the same stream.
 */

const STATE_WORDS = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The multiplier of the seeding recurrence (Knuth, TAOCP vol. 2, 3rd ed., p. 106). */
const SEED_MULTIPLIER = 1812433253;
/** The seed init_by_array starts from before it mixes the key in. */
const ARRAY_BASE_SEED = 19650218;
const ARRAY_MIX_MULTIPLIER = 1664525;
const ARRAY_FINAL_MULTIPLIER = 1566083941;

/** The MT19937 generator: 624 words of state, 32-bit outputs, period 2^19937 - 1. */
export class Mt19937 {
  private readonly state = new Uint32Array(STATE_WORDS);
  /** Index of the next state word to temper; STATE_WORDS means the block is used up. */
  private index = STATE_WORDS;

  private constructor() {}

  /**
   * A generator seeded by mt19937ar.c's `init_genrand(seed)`: what `std::mt19937(seed)`, torch's
   * `manual_seed` (after reducing the seed modulo 2^32) and NumPy's `RandomState(seed)` for an
   * integer seed do. `seed` must be an integer in [0, 2^32).
   */
  static fromSeed(seed: number): Mt19937 {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InvalidArgumentError('Mt19937.fromSeed(seed)', `seed ${seed} is not an integer in [0, 2^32); reduce it modulo 2^32 first.`);
    }
    const generator = new Mt19937();
    generator.initGenrand(seed);
    return generator;
  }

  /**
   * A generator seeded by mt19937ar.c's `init_by_array(key)`, as NumPy's legacy seeding does for an
   * array seed. Every key word must be an integer in [0, 2^32); the key must not be empty.
   */
  static fromKey(key: ArrayLike<number>): Mt19937 {
    if (key.length === 0) {
      throw new InvalidArgumentError('Mt19937.fromKey(key)', 'the key is empty; pass at least one 32-bit word.');
    }
    for (let i = 0; i < key.length; i++) {
      const word = key[i]!;
      if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) {
        throw new InvalidArgumentError('Mt19937.fromKey(key)', `key[${i}] = ${word} is not an integer in [0, 2^32).`);
      }
    }
    const generator = new Mt19937();
    generator.initByArray(key);
    return generator;
  }

  /** The next output as an unsigned 32-bit integer (mt19937ar.c's genrand_int32). */
  nextUint32(): number {
    if (this.index >= STATE_WORDS) this.regenerate();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed;
    for (let i = 1; i < STATE_WORDS; i++) {
      const previous = mt[i - 1]!;
      mt[i] = Math.imul(SEED_MULTIPLIER, previous ^ (previous >>> 30)) + i;
    }
    this.index = STATE_WORDS;
  }

  private initByArray(key: ArrayLike<number>): void {
    this.initGenrand(ARRAY_BASE_SEED);
    const mt = this.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(STATE_WORDS, key.length); k > 0; k--) {
      const previous = mt[i - 1]!;
      // Uint32Array stores wrap modulo 2^32, which is the reference code's `& 0xffffffff`.
      mt[i] = (mt[i]! ^ Math.imul(previous ^ (previous >>> 30), ARRAY_MIX_MULTIPLIER)) + key[j]! + j;
      i++;
      j++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = STATE_WORDS - 1; k > 0; k--) {
      const previous = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(previous ^ (previous >>> 30), ARRAY_FINAL_MULTIPLIER)) - i;
      i++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1]!;
        i = 1;
      }
    }
    mt[0] = UPPER_MASK; // the reference code's guarantee of a non-zero state
    this.index = STATE_WORDS;
  }

  /** Computes the next 624 state words at once, as genrand_int32 does when a block is used up. */
  private regenerate(): void {
    const mt = this.state;
    for (let i = 0; i < STATE_WORDS; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % STATE_WORDS]! & LOWER_MASK);
      mt[i] = mt[(i + SHIFT_SIZE) % STATE_WORDS]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
