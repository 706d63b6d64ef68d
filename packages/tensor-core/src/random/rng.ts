import { InvalidArgumentError } from '../errors.js';
import { deriveChildKey } from './derive-key.js';
import { uint64Seed } from './seed-ranges.js';
import { SplitMix64 } from './splitmix64.js';
import { Xoshiro128StarStar } from './xoshiro128starstar.js';

const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_31 = 2 ** -31;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_26 = 2 ** 26;

/**
 * The project's default seeded random number generator.
 *
 * **Stream.** xoshiro128** 1.1 whose four state words are the two 64-bit outputs of SplitMix64
 * started at the seed (low word first). Generation uses only 32-bit integer arithmetic, so the
 * integer stream is the same on every engine and platform.
 *
 * **Reals.** {@link uniform} takes 53 bits (two outputs: 27 high bits, then 26) and is a multiple of
 * 2^-53 in [0, 1). {@link fillUniform} into a Float32Array takes the top 24 bits of one output per
 * element; into a Float64Array it uses {@link uniform}.
 *
 * **Normals.** Marsaglia's polar method: each coordinate is one output read as a signed 32-bit
 * integer times 2^-31 (uniform on [-1, 1)); pairs outside the unit disc, or at its centre, are
 * rejected; the accepted pair (u, v) with s = u²+v² gives u·f and v·f with f = sqrt(-2·ln(s)/s).
 * The second value of a pair is kept and returned by the next call, and {@link fillNormal} continues
 * the same sequence, so n calls of {@link normal} and one fillNormal of n elements give the same
 * numbers. `Math.sqrt` is correctly rounded by IEEE 754; `Math.log` is V8's own port of fdlibm
 * (V8 does not call the platform's libm for it), so it returns the same double on every platform
 * Node runs on and the normals are reproducible bit for bit.
 *
 * **Forks.** {@link fork} derives a child stream from this stream's key and a label alone: it does
 * not consume numbers from the parent and does not depend on how many the parent has drawn.
 * Different labels give unrelated streams; the same label gives the same stream again.
 */
export class Rng {
  /** The unsigned 64-bit key this stream was started from (the seed modulo 2^64, or a derived key for forks). */
  readonly key: bigint;
  private readonly source: Xoshiro128StarStar;
  private spareNormal = 0;
  private hasSpareNormal = false;

  /** Seeds a stream. `seed` is a safe integer or a bigint that fits in 64 bits. */
  constructor(seed: number | bigint) {
    this.key = uint64Seed(seed, 'new Rng(seed)');
    const seeder = new SplitMix64(this.key);
    const first = seeder.next();
    const second = seeder.next();
    this.source = new Xoshiro128StarStar(
      Number(first & 0xffffffffn),
      Number(first >> 32n),
      Number(second & 0xffffffffn),
      Number(second >> 32n),
    );
  }

  /** The next raw 32-bit output as an unsigned integer. */
  nextUint32(): number {
    return this.source.nextUint32();
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.source.nextUint32() >>> 5;
    const low = this.source.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) * TWO_POW_MINUS_53;
  }

  /** A standard normal double (mean 0, variance 1). */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    const source = this.source;
    for (;;) {
      const u = source.nextInt32() * TWO_POW_MINUS_31;
      const v = source.nextInt32() * TWO_POW_MINUS_31;
      const s = u * u + v * v;
      if (s < 1 && s !== 0) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * factor;
        this.hasSpareNormal = true;
        return u * factor;
      }
    }
  }

  /**
   * Fills `out` with uniform values in [low, high) and returns it. Float32Array elements use 24 bits
   * each; values are computed in double and rounded to float32 on store, which can round a value
   * just below `high` up to `high` when the range is not a power-of-two multiple of the bit step.
   */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    checkRange(low, high);
    const span = high - low;
    const n = out.length;
    if (out instanceof Float32Array) {
      const source = this.source;
      for (let i = 0; i < n; i++) out[i] = low + span * ((source.nextUint32() >>> 8) * TWO_POW_MINUS_24);
    } else {
      for (let i = 0; i < n; i++) out[i] = low + span * this.uniform();
    }
    return out;
  }

  /**
   * Fills `out` with normal values of the given mean and standard deviation and returns it: element i
   * is `mean + std * z_i` where z_i are the values successive {@link normal} calls would return.
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new InvalidArgumentError('Rng.fillNormal(mean, std)', `got mean ${mean}, std ${std}; both must be finite and std >= 0.`);
    }
    const n = out.length;
    let i = 0;
    if (n > 0 && this.hasSpareNormal) {
      this.hasSpareNormal = false;
      out[i++] = mean + std * this.spareNormal;
    }
    const source = this.source;
    while (i + 1 < n) {
      const u = source.nextInt32() * TWO_POW_MINUS_31;
      const v = source.nextInt32() * TWO_POW_MINUS_31;
      const s = u * u + v * v;
      if (s < 1 && s !== 0) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        out[i] = mean + std * (u * factor);
        out[i + 1] = mean + std * (v * factor);
        i += 2;
      }
    }
    if (i < n) out[i] = mean + std * this.normal();
    return out;
  }

  /**
   * An independent child stream determined by this stream's key and `label` only (see the class
   * notes). Use distinct labels for distinct purposes, e.g. `rng.fork('unet.weights')`.
   */
  fork(label: string | number): Rng {
    return new Rng(deriveChildKey(this.key, label));
  }
}

function checkRange(low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new InvalidArgumentError('Rng.fillUniform(low, high)', `got [${low}, ${high}); both must be finite with low <= high.`);
  }
}
