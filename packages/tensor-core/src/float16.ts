import { DimensionMismatchError, InvalidArgumentError } from './errors.js';

/*
 * Exact IEEE-754 binary32 <-> binary16 conversion on bit patterns.
 *
 * float32 -> float16 rounds to nearest, ties to even, in one step from the float32 bits (no
 * intermediate rounding), produces subnormals below 2^-14, zero below 2^-25 (2^-25 itself is a tie
 * and goes to the even value 0), and infinity from 65520 up (the first value that rounds past
 * 65504, the largest half). NaNs stay NaN with their sign, the top 9 payload bits are kept and the
 * quiet bit is set, as IEEE conversion does with signalling NaNs; setting it also stops a NaN whose
 * kept payload is all zero from turning into infinity.
 *
 * float16 -> float32 is exact for every pattern (binary32 holds every binary16 value); NaN payloads
 * move to the top of the float32 mantissa unchanged.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** The float16 bit pattern nearest (ties to even) to the float32 with bit pattern `bits`. */
export function float16BitsFromFloat32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const biasedExponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (biasedExponent === 0xff) {
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const exponent = biasedExponent - 127;
  if (exponent > 15) return sign | 0x7c00;

  if (exponent >= -14) {
    // Normal half: keep the top 10 mantissa bits and round on the 13 dropped ones. A carry out of
    // the mantissa correctly bumps the exponent, and from the largest finite value reaches infinity.
    const truncated = ((exponent + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    const roundUp = dropped > 0x1000 || (dropped === 0x1000 && (truncated & 1) === 1) ? 1 : 0;
    return sign | (truncated + roundUp);
  }

  // Subnormal half (or zero): count in units of 2^-24. With the implicit bit restored the float32
  // significand is an integer times 2^(exponent-23), so the unit count is significand >> (-exponent-1).
  if (exponent < -25) return sign;
  const significand = mantissa | 0x800000;
  const shift = -exponent - 1; // 14 ..= 24
  const truncated = significand >>> shift;
  const dropped = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  const roundUp = dropped > halfway || (dropped === halfway && (truncated & 1) === 1) ? 1 : 0;
  // A carry from the largest subnormal gives 0x0400, the smallest normal, which is the right answer.
  return sign | (truncated + roundUp);
}

/** The float32 bit pattern (as an unsigned integer) of the float16 with bit pattern `half`. */
export function float32BitsFromFloat16Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >>> 10) & 0x1f;
  let mantissa = half & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal half: every one is a normal float32; shift the leading 1 up to the implicit position.
  let unbiased = -14;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    unbiased--;
  }
  return (sign | ((unbiased + 127) << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

let halfToFloatBitsTable: Uint32Array | undefined;

/** float32 bits for all 65536 half patterns, built on first use (256 KiB). */
function halfTable(): Uint32Array {
  if (halfToFloatBitsTable === undefined) {
    const table = new Uint32Array(65536);
    for (let half = 0; half < 65536; half++) table[half] = float32BitsFromFloat16Bits(half);
    halfToFloatBitsTable = table;
  }
  return halfToFloatBitsTable;
}

/**
 * The float16 bit pattern nearest to `x` (round to nearest, ties to even).
 *
 * `x` is first rounded to float32, exactly as storing it in a Float32Array would, so
 * `float32ToFloat16(x) === toFloat16Array(Float32Array.of(x))[0]` for every number.
 */
export function float32ToFloat16(x: number): number {
  scratchFloat[0] = x;
  return float16BitsFromFloat32Bits(scratchBits[0]!);
}

/** The value of the float16 bit pattern `bits` (an integer in 0..=0xFFFF); exact. */
export function float16ToFloat32(bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff) {
    throw new InvalidArgumentError('float16ToFloat32(bits)', `${bits} is not a 16-bit pattern; pass an integer in 0..65535.`);
  }
  scratchBits[0] = halfTable()[bits]!;
  return scratchFloat[0]!;
}

/**
 * Converts every element of `src` to float16 bits. Writes into `out` when given (it must have the
 * same length), otherwise into a new array. Reads the float32 bits directly, so NaN payloads survive.
 */
export function toFloat16Array(src: Float32Array, out?: Uint16Array): Uint16Array {
  const target = out ?? new Uint16Array(src.length);
  if (target.length !== src.length) {
    throw new DimensionMismatchError('toFloat16Array(out)', src.length, target.length, 'one half per input float');
  }
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) target[i] = float16BitsFromFloat32Bits(bits[i]!);
  return target;
}

/**
 * Converts every float16 bit pattern in `src` to float32 (exact). Writes into `out` when given (same
 * length), otherwise into a new array.
 */
export function toFloat32Array(src: Uint16Array, out?: Float32Array): Float32Array {
  const target = out ?? new Float32Array(src.length);
  if (target.length !== src.length) {
    throw new DimensionMismatchError('toFloat32Array(out)', src.length, target.length, 'one float per input half');
  }
  const table = halfTable();
  const bits = new Uint32Array(target.buffer, target.byteOffset, target.length);
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]!]!;
  return target;
}
