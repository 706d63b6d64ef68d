import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { KeyLockArgumentError, KeyLockDimensionError, project, projectTransposed } from '@perfusion/key-lock';
import { dotOf, randomVector } from './helpers.js';

describe('projectTransposed', () => {
  it('is W · g, worked by hand on a [2, 3] weight', () => {
    // W = [[1, 2, 3], [4, 5, 6]], g = [1, 0, −1]: W·g = [1 − 3, 4 − 6] = [−2, −2].
    const weight = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), width: 3 };
    expect(Array.from(projectTransposed(Float32Array.from([1, 0, -1]), weight))).toEqual([-2, -2]);
  });

  it('is the adjoint of project: (x·W)·g = x·(W·g), so it is the gradient of g·(x·W) w.r.t. x', () => {
    const rng = new Rng(4);
    const d = 12;
    const width = 7;
    const weight = { data: Float32Array.from(randomVector(d * width, rng)), width };
    const x = randomVector(d, rng);
    const g = randomVector(width, rng);
    const back = projectTransposed(g, weight);
    expect(back).toHaveLength(d);
    expect(dotOf(x, back)).toBeCloseTo(dotOf(project(x, weight), g), 10);
  });

  it('refuses a gradient or weight of the wrong size, naming the sizes', () => {
    const weight = { data: new Float32Array(6), width: 3, name: 'attn2/to_k' };
    expect(() => projectTransposed(new Float64Array(2), weight)).toThrow(KeyLockDimensionError);
    expect(() => projectTransposed(new Float64Array(2), weight)).toThrow(/expected width = 3 but got 2/);
    expect(() => projectTransposed(new Float64Array(4), { data: new Float32Array(10), width: 4 })).toThrow(/expected numbers = 8 but got 10/);
    expect(() => projectTransposed(new Float64Array(0), { data: new Float32Array(6), width: 0 })).toThrow(KeyLockArgumentError);
  });
});
