import { describe, expect, it } from 'vitest';
import {
  EmptyConceptListError,
  KeyLockArgumentError,
  KeyLockDimensionError,
  coefficients,
  editedProjection,
  globalLocking,
  keyLockTarget,
  supercategoryTokenIds,
  valueRows,
} from '@perfusion/key-lock';
import { maxAbs, maxAbsDiff, randomVector, setup, times } from './helpers.js';

describe('global locking', () => {
  const d = 8;
  const width = 6;
  const T = 5;
  const { rng, direction } = setup(d, 400);
  const iStar = randomVector(d, rng, 2);
  const concept = direction(iStar, '<my-cat>');
  const weightK = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width, name: 'to_k' };
  const weightV = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width, name: 'to_v' };
  const valueTarget = Float32Array.from(randomVector(width, rng));
  // "a photo of <my-cat>" and "a photo of cat": position 3 holds the concept / the supercategory word.
  const conceptPrompt = Float32Array.from(randomVector(T * d, rng));
  conceptPrompt.set(Float32Array.from(iStar), 3 * d);
  const superPrompt = Float32Array.from(randomVector(T * d, rng));
  const iSuperInContext = superPrompt.slice(3 * d, 4 * d);
  const concepts = [{ direction: concept, beta: 0.5, tau: 0.1 }];

  it('K path: the supercategory prompt goes through W_K unedited, so every key is the supercategory prompt\'s', () => {
    const kCoefficients = globalLocking.keyCoefficients(superPrompt, d, 1);
    expect(kCoefficients).toHaveLength(T * 2);
    expect(maxAbs(kCoefficients)).toBe(0);
    const kRows = globalLocking.keyRows(weightK, d, 1);
    expect(kRows).toHaveLength(2 * width);
    // Zero rows switch the K edit off even when K and V share one coefficient input.
    const shared = coefficients(conceptPrompt, concepts);
    for (const c of [kCoefficients, shared]) {
      const keys = editedProjection(superPrompt, weightK, c, kRows);
      for (let t = 0; t < T; t++) {
        expect(maxAbsDiff(keys.subarray(t * width, (t + 1) * width), times(superPrompt.subarray(t * d, (t + 1) * d), weightK.data, width))).toBeLessThan(1e-5);
      }
      // The concept position's key is the supercategory word's key in this prompt.
      expect(maxAbsDiff(keys.subarray(3 * width, 4 * width), keyLockTarget(iSuperInContext, weightK))).toBeLessThan(1e-5);
    }
  });

  it('V path: the usual gated edit of the concept prompt', () => {
    const c = globalLocking.valueCoefficients(conceptPrompt, concepts);
    expect(c).toEqual(coefficients(conceptPrompt, concepts));
    const rows = globalLocking.valueRows(weightV, [concept], [valueTarget]);
    expect(rows).toEqual(valueRows(weightV, [concept], [valueTarget]));
    const values = editedProjection(conceptPrompt, weightV, c, rows);
    const g = c[3 * 2 + 1]!;
    expect(g).toBeGreaterThan(0.99);
    // At the concept token: W(i* − 1·i*) + g·o* = g·o*.
    expect(maxAbsDiff(values.subarray(3 * width, 4 * width), valueTarget.map((v) => g * v))).toBeLessThan(1e-5);
  });

  it('builds the K prompt by replacing concept token ids in place', () => {
    const ids = [49406, 320, 1125, 539, 49408, 530, 49409, 49407, 49407];
    const out = supercategoryTokenIds(ids, [
      { conceptTokenId: 49408, supercategoryTokenId: 2368 },
      { conceptTokenId: 49409, supercategoryTokenId: 1929 },
    ]);
    expect(Array.from(out)).toEqual([49406, 320, 1125, 539, 2368, 530, 1929, 49407, 49407]);
    expect(() => supercategoryTokenIds(ids, [])).toThrow(EmptyConceptListError);
    expect(() => supercategoryTokenIds(ids, [{ conceptTokenId: 1.5, supercategoryTokenId: 2 }])).toThrow(KeyLockArgumentError);
  });

  it('checks sizes', () => {
    expect(() => globalLocking.keyCoefficients(new Float32Array(d + 1), d, 1)).toThrow(KeyLockDimensionError);
    expect(() => globalLocking.keyCoefficients(superPrompt, d, 0)).toThrow(EmptyConceptListError);
    expect(() => globalLocking.keyRows(weightK, d + 1, 1)).toThrow(/'to_k'.*expected d = 9 but got 8; the weight is \[8, 6\]/);
  });
});
