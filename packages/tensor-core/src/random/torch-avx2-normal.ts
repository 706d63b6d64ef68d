import { fmaFloat32 } from './float32-fma.js';

/*
 * The Box–Muller step of torch's vectorised CPU normal sampler (`normal_fill_16_AVX2` in
 * aten/src/ATen/native/cpu/DistributionTemplates.h), reproduced operation by operation in float32.
 *
 * torch evaluates log, sin and cos with the float32 polynomial routines of avx_mathfun.h (Cephes'
 * logf and sinf/cosf as vectorised by Pommier and Garberoglio), not with libm, so the results
 * differ in their last bits from any double-precision formula. Matching torch therefore means
 * running the same algorithm with the same float32 rounding at every step. One more detail
 * decides the last bit: GCC compiles that header with floating-point contraction on (its default
 * for C++), so several multiply-then-add pairs became single-rounding FMA instructions. Which ones
 * was read from the machine code of Debian's libtorch_cpu.so 1.13.1 (the loop that normal_fill_AVX2
 * runs, and its separate copy for the last 16 elements, contract the same pairs); every `fma` call
 * below is one of those instructions and every `f(a op b)` is a plain vector instruction.
 *
 * Constants are the header's decimal literals rounded to float32, which is what its float arrays
 * hold.
 */

const f = Math.fround;

const TWO_PI = f(2 * Math.PI); // _mm256_set1_ps(2.0f * c10::pi<double>)
const SQRT_HALF = f(0.707106781186547524);
const LOG_P0 = f(7.0376836292e-2);
const LOG_P1 = f(-1.151461031e-1);
const LOG_P2 = f(1.167699874e-1);
const LOG_P3 = f(-1.2420140846e-1);
const LOG_P4 = f(1.4249322787e-1);
const LOG_P5 = f(-1.6668057665e-1);
const LOG_P6 = f(2.0000714765e-1);
const LOG_P7 = f(-2.4999993993e-1);
const LOG_P8 = f(3.3333331174e-1);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);
const FOUR_OVER_PI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * Natural logarithm of `u` in (0, 1] as avx_mathfun's log256_ps computes it (with GCC's FMA
 * contractions). `u` is never below 2^-24 here, so the header's clamp to the smallest normal float
 * and its NaN mask for u <= 0 never act and are left out.
 */
function logAvx(u: number): number {
  scratch[0] = u;
  const raw = scratchBits[0]!;
  let e = f((raw >>> 23) - 127 + 1);
  scratchBits[0] = (raw & 0x807fffff) | 0x3f000000; // keep the mantissa, exponent of 0.5: x in [0.5, 1)
  let x = scratch[0]!;
  if (x < SQRT_HALF) {
    e = f(e - 1);
    x = f(f(x - 1) + x);
  } else {
    x = f(x - 1);
  }
  const z = f(x * x);
  let y = fmaFloat32(LOG_P0, x, LOG_P1);
  y = fmaFloat32(y, x, LOG_P2);
  y = fmaFloat32(y, x, LOG_P3);
  y = fmaFloat32(y, x, LOG_P4);
  y = fmaFloat32(y, x, LOG_P5);
  y = fmaFloat32(y, x, LOG_P6);
  y = fmaFloat32(y, x, LOG_P7);
  y = fmaFloat32(y, x, LOG_P8);
  y = f(y * x);
  y = fmaFloat32(y, z, f(e * LOG_Q1));
  y = fmaFloat32(-z, 0.5, y);
  return fmaFloat32(e, LOG_Q2, f(x + y));
}

/**
 * Replaces `data[base .. base+16)`, holding uniforms in [0, 1), by 16 standard normals: lane j
 * pairs u1 = 1 - data[base+j] (radius) with u2 = data[base+8+j] (angle) and writes r·cos to lane j
 * and r·sin to lane j+8, as torch's 8-wide AVX2 code does.
 */
export function torchAvx2NormalBlock(data: Float32Array, base: number): void {
  for (let lane = 0; lane < 8; lane++) {
    const u1 = f(1 - data[base + lane]!);
    const u2 = data[base + 8 + lane]!;
    const radius = f(Math.sqrt(f(-2 * logAvx(u1))));

    // sincos256_ps on theta >= 0 (so the input's sign bit is clear).
    const theta = f(TWO_PI * u2);
    // Octant j = (trunc(theta·4/π) + 1) & ~1, a small even integer (exact as a float), then the
    // Cody–Waite reduction x = theta - j·π/4 with π/4 split in three parts.
    const octant = (Math.trunc(f(theta * FOUR_OVER_PI)) + 1) & ~1;
    let x = fmaFloat32(octant, MINUS_DP1, theta);
    x = fmaFloat32(octant, MINUS_DP2, x);
    x = fmaFloat32(octant, MINUS_DP3, x);
    const z = f(x * x);

    let cosPoly = fmaFloat32(COS_P0, z, COS_P1);
    cosPoly = fmaFloat32(cosPoly, z, COS_P2);
    cosPoly = f(cosPoly * z);
    cosPoly = fmaFloat32(cosPoly, z, -f(z * 0.5));
    cosPoly = f(cosPoly + 1);

    let sinPoly = fmaFloat32(SIN_P0, z, SIN_P1);
    sinPoly = fmaFloat32(sinPoly, z, SIN_P2);
    sinPoly = f(sinPoly * z);
    sinPoly = fmaFloat32(sinPoly, x, x);

    // The header selects polynomials with masks and adds a zero to the one not chosen; the same
    // additions are kept so that signed zeros come out as torch's do.
    const useSinPolyForSin = (octant & 2) === 0;
    const sinPart2 = useSinPolyForSin ? sinPoly : 0;
    const sinPart1 = useSinPolyForSin ? 0 : cosPoly;
    let sin = f(sinPart1 + sinPart2);
    let cos = f(f(sinPoly - sinPart2) + f(cosPoly - sinPart1));
    if ((octant & 4) !== 0) sin = -sin;
    if ((~(octant - 2) & 4) !== 0) cos = -cos;

    // torch then computes n * std + mean with one FMA; for std = 1 and mean = 0 that is n + 0,
    // which also turns -0 into +0.
    data[base + lane] = f(radius * cos) + 0;
    data[base + 8 + lane] = f(radius * sin) + 0;
  }
}
