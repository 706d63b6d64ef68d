import { describe, expect, it } from 'vitest';
import { Rng, solveSPD } from '@perfusion/tensor-core';
import { CovarianceInverse, DEFAULT_RELATIVE_RIDGE, KeyLockArgumentError, KeyLockDimensionError } from '@perfusion/key-lock';
import { dotOf, maxAbs, maxAbsDiff, randomCovariance } from './helpers.js';

describe('CovarianceInverse', () => {
  const d = 12;
  const c = randomCovariance(d, 1);
  const meanDiag = Array.from({ length: d }, (_, i) => c[i * d + i]!).reduce((a, b) => a + b) / d;
  const x = new Rng(2).fillNormal(new Float64Array(d));

  it('applies (C + λI)⁻¹ with λ = 1e-4 × mean diag by default, as tensor-core solveSPD does', () => {
    const inverse = new CovarianceInverse(c, d);
    expect(DEFAULT_RELATIVE_RIDGE).toBe(1e-4);
    expect(inverse.ridge).toBeCloseTo(1e-4 * meanDiag, 15);
    const reference = solveSPD(c, x, d, { relativeRidge: 1e-4 });
    expect(maxAbsDiff(inverse.apply(x), reference)).toBeLessThan(1e-12 * maxAbs(reference));
    // And it really inverts C + λI: (C + λI) · result = x.
    const y = inverse.apply(Float32Array.from(x));
    const back = Array.from({ length: d }, (_, i) => dotOf(c.subarray(i * d, i * d + d), y) + inverse.ridge * y[i]!);
    expect(maxAbsDiff(back, Float32Array.from(x))).toBeLessThan(1e-10);
  });

  it('takes the ridge as an option (relative and absolute), and no ridge at all', () => {
    const none = new CovarianceInverse(c, d, { relativeRidge: 0 });
    expect(none.ridge).toBe(0);
    expect(maxAbsDiff(none.apply(x), solveSPD(c, x, d))).toBeLessThan(1e-10);
    const both = new CovarianceInverse(c, d, { relativeRidge: 1e-2, ridge: 0.5 });
    expect(both.ridge).toBeCloseTo(0.5 + 1e-2 * meanDiag, 12);
    expect(maxAbsDiff(both.apply(x), solveSPD(c, x, d, { ridge: 0.5 + 1e-2 * meanDiag }))).toBeLessThan(1e-12);
  });

  it('regularises a singular covariance that Cholesky alone refuses', () => {
    // Rank 1: every encoding is a multiple of one vector.
    const v = [1, 2, 3];
    const singular = Float64Array.from({ length: 9 }, (_, k) => v[Math.floor(k / 3)]! * v[k % 3]!);
    expect(() => new CovarianceInverse(singular, 3, { relativeRidge: 0 })).toThrow(/not positive definite/);
    const regularised = new CovarianceInverse(singular, 3);
    expect(regularised.apply(Float64Array.from([1, 0, 0])).every(Number.isFinite)).toBe(true);
  });

  it('applies to rows, gives inner products, and builds from an estimate', () => {
    const inverse = CovarianceInverse.fromEstimate({ matrix: c, dim: d });
    const rows = new Rng(4).fillNormal(new Float64Array(3 * d));
    const solved = inverse.applyRows(rows);
    for (let r = 0; r < 3; r++) {
      expect(maxAbsDiff(solved.subarray(r * d, r * d + d), inverse.apply(rows.subarray(r * d, r * d + d)))).toBe(0);
    }
    const a = rows.subarray(0, d);
    const b = rows.subarray(d, 2 * d);
    expect(inverse.innerProduct(a, b)).toBeCloseTo(inverse.innerProduct(b, a), 12);
  });

  it('refuses wrong sizes and bad options', () => {
    const inverse = new CovarianceInverse(c, d);
    expect(() => inverse.apply(new Float32Array(d + 1))).toThrow(KeyLockDimensionError);
    expect(() => inverse.apply(new Float32Array(d + 1))).toThrow(`expected d = ${d} but got ${d + 1}`);
    expect(() => new CovarianceInverse(c, d + 1)).toThrow(KeyLockDimensionError);
    expect(() => new CovarianceInverse(c, d, { relativeRidge: -1 })).toThrow(KeyLockArgumentError);
    expect(() => new CovarianceInverse(Float64Array.from([1, 0, 0, Number.NaN]), 2)).toThrow(/entry 3 is NaN/);
  });
});
