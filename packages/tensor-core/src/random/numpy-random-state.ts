import { InvalidArgumentError } from '../errors.js';
import { Mt19937 } from './mt19937.js';
import { uint32Seed } from './seed-ranges.js';

const TWO_POW_26 = 2 ** 26;
const TWO_POW_MINUS_53 = 2 ** -53;

/**
 * NumPy's legacy `np.random.RandomState(seed)`, reproducing `random_sample` and `randn`
 * (`standard_normal`) — what diffusers' ONNX pipelines use for their initial latents.
 *
 * **Seeding.** An integer seed in [0, 2^32) seeds MT19937 with `init_genrand(seed)` (NumPy's
 * `_legacy_seeding` for a scalar; arrays would use init_by_array, not offered here).
 *
 * **Uniforms.** 53 bits from two 32-bit outputs: (a >>> 5)·2^26 + (b >>> 6), times 2^-53.
 *
 * **Normals.** Marsaglia's polar method in double precision: x1 = 2u - 1, x2 = 2u' - 1 from two
 * uniforms, rejected while r² = x1² + x2² is ≥ 1 or 0; f = sqrt(-2·ln(r²)/r²); the call returns
 * f·x2 and caches f·x1 for the next call — in the same `randn` or a later one (seeding clears it).
 *
 * **Exactness.** The integer stream, the uniforms and the rejections are NumPy's exactly. The one
 * difference is ln(r²): NumPy takes it from the C library and this class from V8 (`Math.log`), and
 * the two differ in the last bit for about 7% of arguments in (0, 1). Against NumPy 1.24 on glibc,
 * over 10^7 normals, 3.1% of the float64 values differed, by 1 to 3 units in the last place, and
 * every float32 value (`fillNormal`) was identical: a float32 only changes if the double lies within
 * a few units of a float32 rounding boundary, about one chance in 10^8 per differing value. NumPy
 * itself differs in the same way between platforms with different C libraries.
 */
export class NumpyRandomState {
  private engine: Mt19937;
  private cachedGauss: number | undefined;

  /** `np.random.RandomState(seed)` for an integer seed in [0, 2^32). */
  constructor(seed: number | bigint) {
    this.engine = Mt19937.fromSeed(uint32Seed(seed, 'new NumpyRandomState(seed)'));
  }

  /** Reseeds like `RandomState.seed(seed)` and returns this. */
  seed(seed: number | bigint): this {
    this.engine = Mt19937.fromSeed(uint32Seed(seed, 'NumpyRandomState.seed(seed)'));
    this.cachedGauss = undefined;
    return this;
  }

  /** The next raw 32-bit output of the Mersenne Twister. */
  nextUint32(): number {
    return this.engine.nextUint32();
  }

  /** `random_sample()`: a uniform double in [0, 1) with 53 random bits. */
  randomSample(): number {
    const high = this.engine.nextUint32() >>> 5;
    const low = this.engine.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) * TWO_POW_MINUS_53;
  }

  /** One standard normal, as `standard_normal()` with no size returns it. */
  standardNormal(): number {
    const cached = this.cachedGauss;
    if (cached !== undefined) {
      this.cachedGauss = undefined;
      return cached;
    }
    for (;;) {
      const x1 = 2 * this.randomSample() - 1;
      const x2 = 2 * this.randomSample() - 1;
      const r2 = x1 * x1 + x2 * x2;
      if (r2 < 1 && r2 !== 0) {
        const factor = Math.sqrt((-2 * Math.log(r2)) / r2);
        this.cachedGauss = factor * x1;
        return factor * x2;
      }
    }
  }

  /** `randn(count)`: a new array of `count` standard normals in float64. */
  randn(count: number): Float64Array {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new InvalidArgumentError('NumpyRandomState.randn(count)', `count ${count} is not a non-negative integer.`);
    }
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.standardNormal();
    return out;
  }

  /**
   * Fills `out` with the values of `randn(out.length).astype(np.float32)` (each float64 normal
   * rounded to the nearest float32, as diffusers' ONNX pipeline converts its latents) and returns it.
   */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.standardNormal();
    return out;
  }
}
