import { describe, expect, it } from 'vitest';
import {
  CovarianceInverse,
  DegenerateConceptError,
  EmptyConceptListError,
  GateParameterError,
  KeyLockArgumentError,
  KeyLockDimensionError,
  KeyLockError,
  coefficients,
  conceptDirection,
  conceptGate,
  editedProjection,
  keyLockTarget,
  keyRows,
  layerRows,
  projectionBasis,
  type GatedConcept,
} from '@perfusion/key-lock';
import { randomVector, setup } from './helpers.js';

describe('typed errors', () => {
  const d = 6;
  const width = 4;
  const { rng, cInv, direction } = setup(d, 500);
  const concept = direction(randomVector(d, rng), '<my-cat>');
  const weight = { data: new Float32Array(d * width), width, name: '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_v' };

  it('name the expected and actual d for encodings of another encoder', () => {
    const e = new Float32Array(2 * (d + 1));
    const call = () => coefficients(e, [{ direction: concept, beta: 0.7, tau: 0.15 }]);
    expect(call).toThrow(KeyLockDimensionError);
    expect(call).toThrow(`coefficients(encodings): expected d = ${d} but got ${2 * (d + 1)}`);
    expect(() => conceptDirection(new Float32Array(d + 2), cInv, '<x>')).toThrow(`conceptDirection('<x>'): expected d = ${d} but got ${d + 2}`);
    expect(() => conceptGate(new Float32Array(3), concept, { beta: 0, tau: 1 })).toThrow(KeyLockDimensionError);
    try {
      coefficients(e, [{ direction: concept, beta: 0.7, tau: 0.15 }]);
    } catch (error) {
      expect(error).toBeInstanceOf(KeyLockError);
      expect((error as KeyLockDimensionError).expected).toBe(d);
    }
  });

  it('name the layer and the expected and actual width for targets and weights', () => {
    expect(() => layerRows(weight, [concept], [new Float32Array(width + 1)])).toThrow(
      `layerRows('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_v'): targets[0] ('<my-cat>'): expected width = ${width} but got ${width + 1}`,
    );
    const other = { data: new Float32Array((d + 2) * width), width, name: 'to_k' };
    expect(() => keyRows(other, [concept], [new Float32Array(d)])).toThrow(`expected d = ${d} but got ${d + 2}`);
    expect(() => keyLockTarget(new Float32Array(d), { data: new Float32Array(d * width + 1), width })).toThrow(
      `expected numbers = ${d * width} but got ${d * width + 1}`,
    );
    expect(() => layerRows(weight, [concept], [])).toThrow(/0 targets for 1 concept/);
    expect(() => editedProjection(new Float32Array(d), weight, new Float32Array(2), new Float32Array(3 * width))).toThrow(KeyLockDimensionError);
  });

  it('refuse τ <= 0 and non-finite β or τ, naming the concept', () => {
    const bad: GatedConcept[] = [
      { direction: concept, beta: 0.7, tau: 0 },
      { direction: concept, beta: 0.7, tau: -0.1 },
      { direction: concept, beta: Number.NaN, tau: 0.1 },
      { direction: concept, beta: 0.7, tau: Number.POSITIVE_INFINITY },
    ];
    for (const c of bad) expect(() => coefficients(new Float32Array(d), [c])).toThrow(GateParameterError);
    expect(() => coefficients(new Float32Array(d), [bad[0]!])).toThrow("coefficients(concepts[0] '<my-cat>'): tau = 0 is not a finite number > 0");
    expect(() => conceptGate(new Float32Array(d), concept, { beta: Number.NaN, tau: 1 })).toThrow(/beta = NaN is not a finite number/);
  });

  it('refuse an empty concept list where one is needed', () => {
    expect(() => coefficients(new Float32Array(d), [])).toThrow(EmptyConceptListError);
    expect(() => layerRows(weight, [], [])).toThrow(EmptyConceptListError);
    expect(() => coefficients(new Float32Array(d), [])).toThrow('coefficients(concepts): the concept list is empty');
  });

  it('refuse a zero i*, an unknown mode, and a basis built for other concepts', () => {
    expect(() => conceptDirection(new Float32Array(d), cInv, '<zero>')).toThrow(DegenerateConceptError);
    expect(() => projectionBasis([concept], 'approximate' as never)).toThrow(KeyLockArgumentError);
    const basis = projectionBasis([concept], 'exact');
    const other = direction(randomVector(d, rng));
    expect(() => coefficients(new Float32Array(d), [{ direction: other, beta: 0, tau: 1 }], { basis })).toThrow(/build it with projectionBasis/);
    expect(coefficients(new Float32Array(d), [{ direction: concept, beta: 0, tau: 1 }], { basis })).toHaveLength(2);
    expect(() => new CovarianceInverse(new Float64Array(4), 2, { ridge: Number.NaN })).toThrow(KeyLockArgumentError);
  });

  it('refuse concepts from different encoders in one basis', () => {
    const { cInv: wider } = setup(d + 1, 501);
    const foreign = conceptDirection(randomVector(d + 1, rng), wider);
    expect(() => projectionBasis([concept, foreign])).toThrow(`projectionBasis(directions[1]): expected d = ${d} but got ${d + 1}`);
  });
});
