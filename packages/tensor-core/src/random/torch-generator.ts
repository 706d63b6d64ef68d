import { InvalidArgumentError } from '../errors.js';
import { Mt19937 } from './mt19937.js';
import { uint64Seed } from './seed-ranges.js';
import { torchAvx2NormalBlock } from './torch-avx2-normal.js';

/** The seed of a fresh `torch.Generator()` (c10's default_rng_seed_val). */
const TORCH_DEFAULT_SEED = 67280421310721n;
/** torch's sampler switches from the per-element path to the block path at this many elements. */
const BLOCK = 16;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;

/**
 * torch's CPU random number generator (`torch.Generator()` on CPU), reproducing its float32
 * `torch.randn` and `torch.rand` bit for bit, including how one generator's stream continues across
 * calls (as diffusers draws the initial latents and then each ancestral step's noise from one
 * generator).
 *
 * **Seeding.** `manual_seed(s)` accepts any integer in [-2^63, 2^64) and keeps it as an unsigned
 * 64-bit value (negative seeds in two's complement, as {@link initialSeed} then reports); the
 * Mersenne Twister is seeded with `init_genrand(s mod 2^32)`, so seeds equal modulo 2^32 give the
 * same numbers. Seeding also drops the cached normal (below).
 *
 * **`randn` of n elements** (one call of torch's CPU `normal_` kernel on a contiguous float32 tensor):
 * - n < 16: each element is drawn by Box–Muller in double precision: two 53-bit uniforms u1, u2
 *   (each from two 32-bit outputs, the first one high), r = sqrt(-2·ln(1 - u2)), θ = 2π·u1; the
 *   element is r·cos θ rounded to float32, and r·sin θ is cached in the generator and returned, as
 *   a double, by the next element that needs a normal, in this call or a later one.
 * - n ≥ 16: n float32 uniforms are drawn (the low 24 bits of one 32-bit output each), then every
 *   block of 16 is transformed in place by torch's vectorised Box–Muller in float32 (see
 *   torch-avx2-normal.ts); when n is not a multiple of 16, the last 16 elements are drawn again as
 *   uniforms and transformed once more, overwriting the tail. This path neither reads nor clears
 *   the cached normal.
 *
 * **Which torch this matches.** The n ≥ 16 path is torch's AVX2 kernel (`normal_fill_AVX2`), which
 * x86 CPUs with AVX2 run; PyTorch registers no AVX-512 version of `normal_stub`
 * (REGISTER_NO_AVX512_DISPATCH in DistributionKernels.cpp), so AVX-512 machines fall back to it.
 * Checked bit for bit against Debian's python3-torch 1.13.1+dfsg (GCC 12 build, "CPU capability
 * usage: AVX2"): the test goldens, and 2·10^7 values from 20 seeds plus 1.6·10^5 values from 20000
 * consecutive small calls, all identical. Other x86 builds run the same algorithm, but a value's
 * last bit could differ if their compiler fused different multiply-adds (see torch-avx2-normal.ts).
 * ARM builds (Apple silicon) and x86 CPUs without AVX2 take a scalar float32 path with libm's
 * logf/sinf/cosf, which this class does not reproduce. The n < 16 path uses the C library's double
 * log, sin and cos in torch and V8's here; both are within one unit in the last place of a double,
 * so a float32 result could only change for a double within a few units of a float32 rounding
 * boundary (about one chance in 10^8 per value; none seen).
 */
export class TorchGenerator {
  private seed: bigint;
  private engine: Mt19937;
  private cachedNormal: number | undefined;

  /** A generator seeded like `torch.Generator().manual_seed(seed)`; without a seed, like `torch.Generator()`. */
  constructor(seed: number | bigint = TORCH_DEFAULT_SEED) {
    this.seed = uint64Seed(seed, 'new TorchGenerator(seed)');
    this.engine = Mt19937.fromSeed(Number(this.seed & 0xffffffffn));
  }

  /** Reseeds the generator like `Generator.manual_seed(seed)` and returns it. */
  manualSeed(seed: number | bigint): this {
    this.seed = uint64Seed(seed, 'TorchGenerator.manualSeed(seed)');
    this.engine = Mt19937.fromSeed(Number(this.seed & 0xffffffffn));
    this.cachedNormal = undefined;
    return this;
  }

  /** The seed as torch's `Generator.initial_seed()` reports it: an unsigned 64-bit integer. */
  initialSeed(): bigint {
    return this.seed;
  }

  /** The next raw 32-bit output (torch's `CPUGeneratorImpl::random()`). */
  nextUint32(): number {
    return this.engine.nextUint32();
  }

  /** `torch.randn(count, generator=g)` for float32: a new array of `count` standard normals. */
  randn(count: number): Float32Array {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new InvalidArgumentError('TorchGenerator.randn(count)', `count ${count} is not a non-negative integer.`);
    }
    return this.fillNormal(new Float32Array(count));
  }

  /**
   * Fills `out` as one `torch.randn(out.length, generator=g)` call would (any shape with that many
   * elements gives the same values in row-major order) and returns it.
   */
  fillNormal(out: Float32Array): Float32Array {
    const n = out.length;
    if (n < BLOCK) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble();
      return out;
    }
    this.fillUniform(out);
    for (let base = 0; base + BLOCK <= n; base += BLOCK) torchAvx2NormalBlock(out, base);
    if (n % BLOCK !== 0) {
      const tail = out.subarray(n - BLOCK);
      this.fillUniform(tail);
      torchAvx2NormalBlock(tail, 0);
    }
    return out;
  }

  /**
   * Fills `out` as one `torch.rand(out.length, generator=g)` call would for float32 (uniforms in
   * [0, 1), multiples of 2^-24) and returns it.
   */
  fillUniform(out: Float32Array): Float32Array {
    const engine = this.engine;
    for (let i = 0; i < out.length; i++) out[i] = (engine.nextUint32() & 0xffffff) * TWO_POW_MINUS_24;
    return out;
  }

  /** One normal of torch's double-precision Box–Muller with its cached second value. */
  private normalDouble(): number {
    const cached = this.cachedNormal;
    if (cached !== undefined) {
      this.cachedNormal = undefined;
      return cached + 0;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const radius = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta) + 0;
  }

  /** A 53-bit uniform double from a 64-bit draw (high word first), as torch's uniform_real_distribution<double>. */
  private uniformDouble(): number {
    const high = this.engine.nextUint32();
    const low = this.engine.nextUint32();
    return ((high & 0x1fffff) * TWO_POW_32 + low) * TWO_POW_MINUS_53;
  }
}
