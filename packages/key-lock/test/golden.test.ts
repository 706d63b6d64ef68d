import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CovarianceAccumulator,
  CovarianceInverse,
  coefficients,
  conceptDirection,
  conceptGate,
  editedProjection,
  keyLockTarget,
  keyRows,
  projectionBasis,
  valueRows,
  type GatedConcept,
} from '@perfusion/key-lock';
import { maxAbs, maxAbsDiff } from './helpers.js';

// Goldens from test/golden/keylock_reference.py (numpy 1.24, Debian's /usr/bin/python3): an
// independent implementation of the same formulas (explicit inverse instead of Cholesky, closed-form
// projection instead of a basis), inputs included in the JSON.
interface Golden {
  d: number;
  width: number;
  B: number;
  T: number;
  M: number;
  n: number;
  X: number[];
  covariance: number[];
  ridge: number;
  covarianceInverse: number[];
  iStar: number[];
  iSuper: number[];
  W_K: number[];
  W_V: number[];
  o_V: number[];
  beta: number[];
  tau: number[];
  encodings: number[];
  energy: number[];
  sims: number[];
  gates: number[];
  o_K: number[];
  projected: number[];
  keysSum: number[];
  valuesSum: number[];
  keysExact: number[];
  valuesExact: number[];
}

const g = JSON.parse(readFileSync(new URL('./golden/keylock_reference.json', import.meta.url), 'utf8')) as Golden;
const { d, width, M } = g;
const rows = g.B * g.T;
const slice = (a: number[], k: number, size: number) => Float64Array.from(a.slice(k * size, (k + 1) * size));

describe('against the numpy reference', () => {
  const estimate = new CovarianceAccumulator(d).addRows(Float64Array.from(g.X)).finalize();
  const cInv = CovarianceInverse.fromEstimate(estimate);
  const directions = Array.from({ length: M }, (_, k) => conceptDirection(slice(g.iStar, k, d), cInv, `<c${k}>`));
  const concepts: GatedConcept[] = directions.map((direction, k) => ({ direction, beta: g.beta[k]!, tau: g.tau[k]! }));
  const encodings = Float32Array.from(g.encodings); // what a text encoder would hand over
  const encodings64 = Float64Array.from(encodings);
  const weightK = { data: Float32Array.from(g.W_K), width, name: 'to_k' };
  const weightV = { data: Float32Array.from(g.W_V), width, name: 'to_v' };
  const valueTargets = Array.from({ length: M }, (_, k) => Float32Array.from(g.o_V.slice(k * width, (k + 1) * width)));
  const superEncodings = Array.from({ length: M }, (_, k) => slice(g.iSuper, k, d));

  it('covariance, ridge and C⁻¹', () => {
    expect(estimate.count).toBe(g.n);
    expect(maxAbsDiff(estimate.matrix, g.covariance) / maxAbs(g.covariance)).toBeLessThan(1e-14);
    expect(cInv.ridge / g.ridge - 1).toBeLessThan(1e-13);
    for (let j = 0; j < d; j++) {
      const e = new Float64Array(d);
      e[j] = 1;
      const column = cInv.apply(e);
      const reference = Array.from({ length: d }, (_, i) => g.covarianceInverse[i * d + j]!);
      expect(maxAbsDiff(column, reference) / maxAbs(reference)).toBeLessThan(1e-9);
    }
  });

  it('i*ᵀC⁻¹i*, sim and gate per token', () => {
    directions.forEach((direction, k) => expect(direction.energy / g.energy[k]! - 1).toBeLessThan(1e-9));
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < M; k++) {
        const { sim, gate } = conceptGate(encodings64.subarray(r * d, (r + 1) * d), directions[k]!, concepts[k]!);
        expect(Math.abs(sim - g.sims[r * M + k]!)).toBeLessThan(1e-9);
        expect(Math.abs(gate - g.gates[r * M + k]!)).toBeLessThan(1e-9);
      }
    }
    // The concept's own token has sim 1 (row 1 is i*_1, row 6 is i*_2).
    expect(g.sims[1 * M + 0]).toBeCloseTo(1, 12);
    expect(g.sims[6 * M + 1]).toBeCloseTo(1, 12);
  });

  it('coefficient matrix [S | G] in sum mode', () => {
    const c = coefficients(encodings, concepts);
    expect(c).toHaveLength(rows * 2 * M);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < M; k++) {
        expect(Math.abs(c[r * 2 * M + k]! - g.sims[r * M + k]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(g.sims[r * M + k]!)));
        expect(Math.abs(c[r * 2 * M + M + k]! - g.gates[r * M + k]!)).toBeLessThan(1e-6);
      }
    }
  });

  it('key-locking targets and row stacks', () => {
    for (let k = 0; k < M; k++) {
      const target = keyLockTarget(superEncodings[k]!, weightK);
      expect(maxAbsDiff(target, g.o_K.slice(k * width, (k + 1) * width))).toBeLessThan(1e-6);
    }
    const rowsV = valueRows(weightV, directions, valueTargets);
    expect(rowsV).toHaveLength(2 * M * width);
    expect(maxAbsDiff(rowsV.subarray(M * width), g.o_V)).toBeLessThan(1e-7);
  });

  for (const mode of ['sum', 'exact'] as const) {
    it(`edited keys and values, ${mode} form`, () => {
      const c = coefficients(encodings, concepts, { multiConcept: mode });
      const rowsK = keyRows(weightK, directions, superEncodings, { multiConcept: mode });
      const rowsV = valueRows(weightV, directions, valueTargets, { multiConcept: mode });
      const keys = editedProjection(encodings, weightK, c, rowsK);
      const values = editedProjection(encodings, weightV, c, rowsV);
      const expectedK = mode === 'sum' ? g.keysSum : g.keysExact;
      const expectedV = mode === 'sum' ? g.valuesSum : g.valuesExact;
      // float32 coefficients and rows: relative 1e-5 of the outputs' scale.
      expect(maxAbsDiff(keys, expectedK)).toBeLessThan(1e-5 * maxAbs(expectedK));
      expect(maxAbsDiff(values, expectedV)).toBeLessThan(1e-5 * maxAbs(expectedV));
    });
  }

  it('the exact basis spans the same projection as the closed form', () => {
    const basis = projectionBasis(directions, 'exact');
    expect(basis.rank).toBe(M);
    for (let r = 0; r < rows; r++) {
      const e = encodings64.subarray(r * d, (r + 1) * d);
      const pe = new Float64Array(d);
      for (let j = 0; j < M; j++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += e[i]! * basis.coefficientVectors[j]![i]!;
        for (let i = 0; i < d; i++) pe[i] += s * basis.removed[j]![i]!;
      }
      const reference = g.projected.slice(r * d, (r + 1) * d);
      expect(maxAbsDiff(pe, reference)).toBeLessThan(1e-9 * Math.max(1, maxAbs(reference)));
    }
  });
});
