/*
 * A fused multiply-add on float32 values, rounded once, as the x86 FMA3 instructions (vfmadd*ps)
 * compute it. JavaScript has no float32 FMA, and Math.fround(a * b + c) can be wrong: the product of
 * two float32 values is exact in a double, but the sum may be rounded twice (to double, then to
 * float32), which misrounds when the first rounding lands exactly on a float32 halfway point.
 *
 * The fix is rounding to odd (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums:
 * proved algorithms using rounding to odd", IEEE TC 2008): if the double sum is inexact, replace it
 * by its odd neighbour on the side of the exact value; rounding that to float32 (24 bits, at least
 * two fewer than a double's 53) then gives the correctly rounded result. The rounding error of the
 * double sum comes from Knuth's TwoSum, which is exact.
 */

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
// Index of the low 32-bit word of a double in a Uint32Array view: 0 on little-endian platforms.
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/**
 * `a * b + c` rounded once to float32 (round to nearest, ties to even). `a`, `b` and `c` must already
 * be float32 values (results of Math.fround); the result is one too.
 */
export function fmaFloat32(a: number, b: number, c: number): number {
  const product = a * b; // exact: 24 + 24 significant bits fit in 53
  const sum = product + c;
  const virtualC = sum - product;
  const error = product - (sum - virtualC) + (c - virtualC);
  if (error === 0 || !Number.isFinite(sum)) return Math.fround(sum);
  bits[0] = sum;
  if ((words[LOW]! & 1) === 0) {
    // Step one unit in the last place towards the exact value: up in magnitude when the error has
    // the sum's sign, down otherwise. The low word is even, so stepping up never carries.
    if (error > 0 === sum > 0) {
      words[LOW] = words[LOW]! + 1;
    } else {
      if (words[LOW] === 0) words[HIGH] = words[HIGH]! - 1;
      words[LOW] = words[LOW]! - 1;
    }
  }
  return Math.fround(bits[0]!);
}
