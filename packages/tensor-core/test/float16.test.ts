import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, InvalidArgumentError, DimensionMismatchError, toFloat16Array, toFloat32Array } from '../src/index.js';

/**
 * Independent decoder written from the binary16 definition (IEEE 754-2008 §3.4): sign bit, 5-bit
 * exponent with bias 15, 10-bit fraction; exponent 0 is subnormal (fraction × 2^-24), 31 is inf/NaN.
 * It uses only arithmetic on numbers, none of the bit tricks of the implementation under test.
 */
function decodeHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const isNaNPattern = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;

/** Converts raw float32 bit patterns, bypassing JS numbers, so NaN payloads reach the converter intact. */
function halfOfFloatBits(bits: number): number {
  return toFloat16Array(new Float32Array(Uint32Array.of(bits).buffer))[0]!;
}

describe('float32ToFloat16 on known bit patterns', () => {
  // Patterns from the binary16 definition; the same examples are tabulated in the Wikipedia
  // article "Half-precision floating-point format" (section "Half precision examples").
  const cases: Array<[string, number, number]> = [
    ['0', 0, 0x0000],
    ['-0', -0, 0x8000],
    ['1', 1, 0x3c00],
    ['-2', -2, 0xc000],
    ['largest below 1', 1 - 2 ** -11, 0x3bff],
    ['smallest above 1', 1 + 2 ** -10, 0x3c01],
    ['largest finite 65504', 65504, 0x7bff],
    ['-65504', -65504, 0xfbff],
    ['smallest subnormal 2^-24', 2 ** -24, 0x0001],
    ['largest subnormal 1023·2^-24', 1023 * 2 ** -24, 0x03ff],
    ['smallest normal 2^-14', 2 ** -14, 0x0400],
    ['+inf', Infinity, 0x7c00],
    ['-inf', -Infinity, 0xfc00],
    ['1/3 rounds to 0x3555', 1 / 3, 0x3555],
  ];
  it.each(cases)('%s', (_name, value, bits) => {
    expect(float32ToFloat16(value)).toBe(bits);
  });

  it('overflows to infinity from 65520, the midpoint above 65504 (a tie that rounds to the even neighbour, infinity)', () => {
    expect(float32ToFloat16(65520)).toBe(0x7c00);
    expect(float32ToFloat16(-65520)).toBe(0xfc00);
    expect(float32ToFloat16(65519)).toBe(0x7bff);
    expect(float32ToFloat16(1e10)).toBe(0x7c00);
    expect(float32ToFloat16(3.4e38)).toBe(0x7c00);
  });

  it('rounds ties to even in the normal range', () => {
    expect(float32ToFloat16(1 + 2 ** -11)).toBe(0x3c00); // halfway 0x3C00 (even) / 0x3C01
    expect(float32ToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway 0x3C01 / 0x3C02 (even)
    expect(float32ToFloat16(-(1 + 2 ** -11))).toBe(0xbc00);
    expect(float32ToFloat16(1 + 2 ** -11 + 2 ** -23)).toBe(0x3c01); // just above the tie
  });

  it('rounds ties to even between subnormals and underflows to signed zero', () => {
    expect(float32ToFloat16(0.5 * 2 ** -24)).toBe(0x0000); // 2^-25: halfway 0 / 0x0001, to even 0
    expect(float32ToFloat16(0.5 * 2 ** -24 * (1 + 2 ** -23))).toBe(0x0001); // just above the tie
    expect(float32ToFloat16(1.5 * 2 ** -24)).toBe(0x0002);
    expect(float32ToFloat16(2.5 * 2 ** -24)).toBe(0x0002);
    expect(float32ToFloat16(3.5 * 2 ** -24)).toBe(0x0004);
    expect(float32ToFloat16(1023.5 * 2 ** -24)).toBe(0x0400); // largest subnormal rounds up into the normals
    expect(float32ToFloat16(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16(-(2 ** -26))).toBe(0x8000);
    expect(float32ToFloat16(1e-45)).toBe(0x0000); // a float32 subnormal
    expect(float32ToFloat16(-1e-45)).toBe(0x8000);
  });

  it('maps NaN to a quiet NaN, keeping the sign and the top payload bits', () => {
    expect(isNaNPattern(float32ToFloat16(NaN))).toBe(true);
    expect(halfOfFloatBits(0x7fc00000)).toBe(0x7e00); // default quiet NaN
    expect(halfOfFloatBits(0xffc00000)).toBe(0xfe00); // negative quiet NaN
    expect(halfOfFloatBits(0x7f800001)).toBe(0x7e00); // signalling NaN whose kept payload is 0: must not become inf
    expect(halfOfFloatBits(0xffe02000)).toBe(0xff01); // payload 0x602000 keeps its top bits 0x301
  });

  it('rounds x to float32 first, so scalar and array conversion agree', () => {
    const x = 1 + 2 ** -11 + 2 ** -40; // above the tie in double, exactly the tie once rounded to float32
    expect(float32ToFloat16(x)).toBe(toFloat16Array(Float32Array.of(x))[0]);
    expect(float32ToFloat16(x)).toBe(0x3c00);
  });
});

describe('every half bit pattern', () => {
  const all = new Uint16Array(65536).map((_, i) => i);

  it('decodes as the binary16 definition says', () => {
    const floats = toFloat32Array(all);
    for (let bits = 0; bits < 65536; bits++) {
      const expected = decodeHalf(bits);
      if (Number.isNaN(expected)) {
        expect(Number.isNaN(float16ToFloat32(bits))).toBe(true);
        expect(Number.isNaN(floats[bits])).toBe(true);
      } else if (float16ToFloat32(bits) !== expected || floats[bits] !== expected || Object.is(expected, -0) !== Object.is(floats[bits], -0)) {
        expect.fail(`pattern 0x${bits.toString(16)} decodes to ${floats[bits]}, expected ${expected}`);
      }
    }
  });

  it('round-trips through float32 exactly (NaNs come back quiet with their payload)', () => {
    const back = toFloat16Array(toFloat32Array(all));
    for (let bits = 0; bits < 65536; bits++) {
      const expected = isNaNPattern(bits) ? bits | 0x0200 : bits;
      if (back[bits] !== expected) expect.fail(`0x${bits.toString(16)} came back as 0x${back[bits]!.toString(16)}`);
      if (!isNaNPattern(bits) && float32ToFloat16(float16ToFloat32(bits)) !== bits) expect.fail(`scalar round trip of 0x${bits.toString(16)}`);
    }
  });

  it('rounds every midpoint between neighbouring halves to the even one, and its float32 neighbours to the nearer', () => {
    // Midpoints need 12 significant bits, so each is exact in float32; so are the float32 values
    // one ulp either side of it. Positive finite halves only; negatives mirror through the sign bit.
    const probe = new Float32Array(3);
    for (let low = 0; low < 0x7bff + 1; low++) {
      const high = low + 1;
      const mid = (decodeHalf(low) + decodeHalf(high === 0x7c00 ? 0x7bff : high) + (high === 0x7c00 ? 32 : 0)) / 2;
      probe[1] = mid;
      expect(probe[1]).toBe(mid);
      const bits = new Uint32Array(probe.buffer);
      bits[0] = bits[1]! - 1;
      bits[2] = bits[1]! + 1;
      const [below, atTie, above] = toFloat16Array(probe);
      const even = low % 2 === 0 ? low : high;
      if (below !== low || atTie !== even || above !== high) {
        expect.fail(`between 0x${low.toString(16)} and 0x${high.toString(16)}: got ${below}, ${atTie}, ${above}`);
      }
    }
  });
});

describe('argument checks', () => {
  it('rejects values that are not 16-bit patterns', () => {
    expect(() => float16ToFloat32(65536)).toThrow(InvalidArgumentError);
    expect(() => float16ToFloat32(1.5)).toThrow(/not a 16-bit pattern/);
  });

  it('writes into a given output array of the right length only', () => {
    const out = new Uint16Array(2);
    expect(toFloat16Array(Float32Array.of(1, -2), out)).toBe(out);
    expect(Array.from(out)).toEqual([0x3c00, 0xc000]);
    expect(() => toFloat16Array(Float32Array.of(1), out)).toThrow(DimensionMismatchError);
    expect(() => toFloat32Array(Uint16Array.of(1), new Float32Array(3))).toThrow(DimensionMismatchError);
  });

  it('converts subarray views at an offset', () => {
    const source = Float32Array.of(7, 1, -2);
    expect(Array.from(toFloat16Array(source.subarray(1)))).toEqual([0x3c00, 0xc000]);
    const halves = Uint16Array.of(0, 0x3c00, 0xc000);
    expect(Array.from(toFloat32Array(halves.subarray(1)))).toEqual([1, -2]);
  });
});
