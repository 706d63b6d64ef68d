import { describe, expect, it } from 'vitest';
import { Rng } from '../src/index.js';
import { fmaFloat32 } from '../src/random/float32-fma.js';

/*
 * fmaFloat32 must round a*b + c once, to float32. The reference here is exact arithmetic: every
 * float32 is m·2^k with integer m, so a*b + c is an exact rational with a power-of-two denominator,
 * held in BigInts and rounded to 24 significant bits (nearest, ties to even) by integer operations.
 */

const view = new DataView(new ArrayBuffer(8));

/** A finite double as (mantissa, exponent) with value mantissa·2^exponent. */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased !== 0) mantissa |= 1n << 52n;
  const sign = high >>> 31 ? -1n : 1n;
  return [sign * mantissa, (biased === 0 ? 1 : biased) - 1075];
}

/** Exact a*b + c rounded to the nearest float32 (ties to even), for normal-range results. */
function referenceFma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const exponent = Math.min(ea + eb, ec);
  const total = ((ma * mb) << BigInt(ea + eb - exponent)) + (mc << BigInt(ec - exponent));
  if (total === 0n) return 0;
  const negative = total < 0n;
  let magnitude = negative ? -total : total;
  let scale = exponent;
  // Keep 24 significant bits, rounding the dropped ones to nearest, ties to even.
  const extra = magnitude.toString(2).length - 24;
  if (extra > 0) {
    const dropped = magnitude & ((1n << BigInt(extra)) - 1n);
    const half = 1n << BigInt(extra - 1);
    magnitude >>= BigInt(extra);
    if (dropped > half || (dropped === half && (magnitude & 1n) === 1n)) magnitude += 1n;
    scale += extra;
  }
  const value = Number(magnitude) * 2 ** scale;
  return negative ? -value : value;
}

describe('fmaFloat32', () => {
  it('rounds once where a double sum followed by a float32 rounding rounds twice', () => {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: exactly halfway between two float32 values. Adding 2^-60
    // puts the exact result just above the halfway point, so the correct float32 is the upper
    // neighbour 1 + 2^-11 + 2^-23; the double sum drops the 2^-60 (below half a double ulp) and the
    // float32 rounding then breaks the tie to the even lower neighbour 1 + 2^-11.
    const a = 1 + 2 ** -12;
    const c = 2 ** -60;
    expect(Math.fround(a * a + c)).toBe(1 + 2 ** -11);
    expect(fmaFloat32(a, a, c)).toBe(1 + 2 ** -11 + 2 ** -23);
    // Mirrored below zero, and with the tiny term on the other side of the halfway point.
    expect(fmaFloat32(-a, a, -c)).toBe(-(1 + 2 ** -11 + 2 ** -23));
    expect(fmaFloat32(a, a, -c)).toBe(1 + 2 ** -11);
  });

  it('agrees with exact rational arithmetic on random float32 triples', () => {
    const rng = new Rng(20240601);
    const randomFloat32 = (spread: number): number => {
      const value = (rng.uniform() * 2 - 1) * 2 ** Math.round((rng.uniform() * 2 - 1) * spread);
      return Math.fround(value);
    };
    let disagreements = 0;
    for (let i = 0; i < 20000; i++) {
      // Exponent spreads wide enough that c often lies far below or above a*b.
      const a = randomFloat32(20);
      const b = randomFloat32(20);
      const c = randomFloat32(40);
      if (fmaFloat32(a, b, c) !== referenceFma(a, b, c)) disagreements++;
    }
    expect(disagreements).toBe(0);
  });
});
