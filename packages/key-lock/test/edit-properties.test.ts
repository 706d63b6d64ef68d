import { describe, expect, it } from 'vitest';
import {
  coefficients,
  editedProjection,
  keyLockTarget,
  keyRows,
  layerRows,
  projectionBasis,
  similarity,
  valueRows,
  type GatedConcept,
} from '@perfusion/key-lock';
import { cInvOrthogonalise, dotOf, maxAbs, maxAbsDiff, randomVector, setup, times } from './helpers.js';

// The behaviours issue 6 asks of the edit, on small random matrices: d = 16, width = 10.
const d = 16;
const width = 10;
const ALWAYS_ON = { beta: -1e9, tau: 1 }; // gate = 1 for any sim
const ALWAYS_OFF = { beta: 1e9, tau: 1 }; // gate = 0 for any sim

describe('one concept', () => {
  const { rng, direction } = setup(d, 100);
  const iStar = randomVector(d, rng, 2);
  const iSuper = randomVector(d, rng, 2);
  const concept = direction(iStar, '<my-cat>');
  const weightK = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width, name: 'attn2/to_k' };
  const weightV = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width, name: 'attn2/to_v' };
  const valueTarget = Float32Array.from(randomVector(width, rng));

  function edit(e: Float64Array, gate: { beta: number; tau: number }) {
    const concepts: GatedConcept[] = [{ direction: concept, ...gate }];
    const c = coefficients(Float32Array.from(e), concepts);
    const key = editedProjection(Float32Array.from(e), weightK, c, keyRows(weightK, [concept], [iSuper]));
    const value = editedProjection(Float32Array.from(e), weightV, c, valueRows(weightV, [concept], [valueTarget]));
    return { c, key, value };
  }

  it('maps the concept token (e = i*) with its gate forced to 1 to the locked key and the value target', () => {
    const { c, key, value } = edit(iStar, ALWAYS_ON);
    expect(c[0]).toBeCloseTo(1, 6); // sim(i*) = 1
    expect(c[1]).toBe(1); // gate
    // out(i*) = i*·W − 1·(i*·W) + 1·o*
    const lockedKey = times(iSuper, weightK.data, width);
    expect(maxAbsDiff(key, lockedKey)).toBeLessThan(1e-5 * maxAbs(lockedKey));
    expect(maxAbsDiff(key, keyLockTarget(iSuper, weightK))).toBeLessThan(1e-5 * maxAbs(lockedKey));
    expect(maxAbsDiff(value, valueTarget)).toBeLessThan(1e-5 * maxAbs(valueTarget));
    // …and the unedited projection was something else entirely.
    expect(maxAbsDiff(times(iStar, weightK.data, width), lockedKey)).toBeGreaterThan(0.1);
  });

  it('leaves a token untouched when it is C⁻¹-orthogonal to i* (sim 0) and its gate is 0', () => {
    const e = cInvOrthogonalise(randomVector(d, rng, 2), [concept]);
    expect(Math.abs(similarity(e, concept))).toBeLessThan(1e-12);
    const { c, key, value } = edit(e, ALWAYS_OFF);
    expect(c[1]).toBe(0);
    const e32 = Float32Array.from(e);
    expect(maxAbsDiff(key, times(e32, weightK.data, width))).toBeLessThan(1e-5);
    expect(maxAbsDiff(value, times(e32, weightV.data, width))).toBeLessThan(1e-5);
  });

  it('with the default-like gate, the concept token is (nearly) locked and an unrelated token (nearly) untouched', () => {
    const gate = { beta: 0.7, tau: 0.05 };
    const onConcept = edit(iStar, gate);
    expect(onConcept.c[1]).toBeGreaterThan(0.997); // sigmoid(0.3 / 0.05)
    const lockedKey = times(iSuper, weightK.data, width);
    expect(maxAbsDiff(onConcept.key, lockedKey)).toBeLessThan(0.01 * maxAbs(lockedKey));
    const unrelated = cInvOrthogonalise(randomVector(d, rng, 2), [concept]);
    const offConcept = edit(unrelated, gate);
    expect(offConcept.c[1]).toBeLessThan(1e-6); // sigmoid(-0.7 / 0.05)
  });

  it('sim is linear: a token that is a multiple of i* has that multiple as sim', () => {
    const e = iStar.map((v) => 0.4 * v);
    expect(similarity(e, concept)).toBeCloseTo(0.4, 12);
    const { c } = edit(e, { beta: 0.4, tau: 0.1 });
    expect(c[1]).toBeCloseTo(0.5, 6); // sim = β
  });
});

describe('two concepts', () => {
  const { rng, direction } = setup(d, 200);
  const first = direction(randomVector(d, rng, 2), '<a>');
  // The second i* C⁻¹-orthogonal to the first.
  const second = direction(cInvOrthogonalise(randomVector(d, rng, 2), [first]), '<b>');
  const weight = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width, name: 'attn2/to_v' };
  const targets = [Float32Array.from(randomVector(width, rng)), Float32Array.from(randomVector(width, rng))];
  const gate = { beta: 0.5, tau: 0.02 };
  const concepts: GatedConcept[] = [first, second].map((c) => ({ direction: c, ...gate }));

  it('sum form: each concept token maps to its own target when the i* are C⁻¹-orthogonal', () => {
    expect(Math.abs(dotOf(first.input, second.simVector))).toBeLessThan(1e-10);
    const encodings = Float32Array.from([...first.input, ...second.input]);
    const c = coefficients(encodings, concepts);
    // Row 0: S = [1, 0], G = [1, 0]; row 1: S = [0, 1], G = [0, 1].
    expect(Array.from(c).map((v) => Math.round(v * 1e5) / 1e5 + 0)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    const out = editedProjection(encodings, weight, c, layerRows(weight, [first, second], targets));
    expect(maxAbsDiff(out.subarray(0, width), targets[0]!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.subarray(width), targets[1]!)).toBeLessThan(1e-4);
  });

  it('sum and exact forms agree when the i* are C⁻¹-orthogonal (and for one concept)', () => {
    const encodings = Float32Array.from(randomVector(5 * d, rng, 2));
    for (const set of [[first], [first, second]]) {
      const cs = set.map((c) => ({ direction: c, ...gate }));
      const sum = editedProjection(encodings, weight, coefficients(encodings, cs), layerRows(weight, set, targets.slice(0, set.length)));
      const exact = editedProjection(
        encodings,
        weight,
        coefficients(encodings, cs, { multiConcept: 'exact' }),
        layerRows(weight, set, targets.slice(0, set.length), { multiConcept: 'exact' }),
      );
      expect(maxAbsDiff(sum, exact)).toBeLessThan(1e-4 * maxAbs(sum));
    }
  });
});

describe('exact form (appendix B)', () => {
  const { rng, direction } = setup(d, 300);
  // Three deliberately correlated concept inputs.
  const base = randomVector(d, rng, 2);
  const directions = [0, 1, 2].map((k) => direction(base.map((v, i) => v + 0.6 * Math.sin(3 * i + k) + 0.2 * k), `<c${k}>`));
  const weight = { data: Float32Array.from(randomVector(d * width, rng, 0.3)), width };
  const zeros = directions.map(() => new Float32Array(width));
  const off = directions.map((c) => ({ direction: c, ...ALWAYS_OFF }));

  it('builds a C⁻¹-orthonormal basis of span{i*}', () => {
    const basis = projectionBasis(directions, 'exact');
    expect(basis.rank).toBe(3);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        // s_b = C⁻¹ q_b, so q_aᵀ C⁻¹ q_b = q_a · s_b.
        expect(dotOf(basis.removed[a]!, basis.coefficientVectors[b]!)).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  it('removes any combination of the i*_k exactly (gates off: the output is 0)', () => {
    const combos = [
      [1, 0, 0],
      [0, 1, 0],
      [0.3, -1.2, 0.7],
      [2, 2, -1],
    ];
    for (const a of combos) {
      const e = new Float64Array(d);
      directions.forEach((c, k) => c.input.forEach((v, i) => (e[i] += a[k]! * v)));
      const out = editedProjection(e, weight, coefficients(e, off, { multiConcept: 'exact' }), layerRows(weight, directions, zeros, { multiConcept: 'exact' }));
      const untouched = times(e, weight.data, width);
      expect(maxAbs(out), `combination ${a.join(', ')}`).toBeLessThan(1e-5 * maxAbs(untouched));
    }
  });

  it('while the sum form does not, for correlated i*', () => {
    const e = directions[0]!.input;
    const sum = editedProjection(e, weight, coefficients(e, off), layerRows(weight, directions, zeros));
    expect(maxAbs(sum)).toBeGreaterThan(0.01 * maxAbs(times(e, weight.data, width)));
  });

  it('leaves tokens C⁻¹-orthogonal to every i* untouched', () => {
    const e = cInvOrthogonalise(randomVector(d, rng, 2), projectionBasis(directions, 'exact').removed.map((q, k) => direction(q, `q${k}`)));
    const out = editedProjection(e, weight, coefficients(e, off, { multiConcept: 'exact' }), layerRows(weight, directions, zeros, { multiConcept: 'exact' }));
    expect(maxAbsDiff(out, times(e, weight.data, width))).toBeLessThan(1e-5);
  });

  it('gives a dependent concept a zero slot instead of failing', () => {
    const twice = direction(directions[0]!.input.map((v) => 2 * v), 'twice');
    const basis = projectionBasis([directions[0]!, twice, directions[1]!], 'exact');
    expect(basis.rank).toBe(2);
    expect(maxAbs(basis.removed[1]!)).toBe(0);
    expect(maxAbs(basis.coefficientVectors[1]!)).toBe(0);
  });
});
