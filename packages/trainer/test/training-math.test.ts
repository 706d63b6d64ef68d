import { describe, expect, it } from 'vitest';
import { CovarianceInverse, coefficients, conceptDirection } from '@perfusion/key-lock';
import { alphasCumprod, computeBetas, parseSchedulerConfig, SD15_SCHEDULER_CONFIG } from '@perfusion/scheduler';
import { Rng } from '@perfusion/tensor-core';
import { addGateGradient, resolveTrainingRequest, TrainingNoiseSchedule, TrainingSetupError } from '../src/index.js';

describe('TrainingNoiseSchedule', () => {
  it("uses the model's ᾱ_t and noises as x_t = √ᾱ·x₀ + √(1−ᾱ)·ε, target ε or v", () => {
    const sd15 = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);
    const schedule = TrainingNoiseSchedule.fromConfig(sd15);
    const expected = alphasCumprod(computeBetas({ numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', trainedBetas: null }));
    expect(schedule.alphasCumprod).toEqual(expected);
    expect(schedule.predictionType).toBe('epsilon');
    const x0 = Float32Array.from([1, -2]);
    const noise = Float32Array.from([0.5, 0.25]);
    const noisy = new Float32Array(4);
    const target = new Float32Array(4);
    schedule.noiseSample(x0, noise, 999, noisy, target, 2);
    const a = Math.sqrt(expected[999]!);
    const s = Math.sqrt(1 - expected[999]!);
    expect(Array.from(noisy.subarray(2))).toEqual([Math.fround(a * 1 + s * 0.5), Math.fround(a * -2 + s * 0.25)]);
    expect(Array.from(target.subarray(2))).toEqual([0.5, 0.25]);

    const v = TrainingNoiseSchedule.fromConfig({ ...sd15, predictionType: 'v_prediction' });
    v.noiseSample(x0, noise, 999, noisy, target, 0);
    expect(target[0]).toBeCloseTo(a * 0.5 - s * 1, 6);
    expect(() => TrainingNoiseSchedule.fromConfig(parseSchedulerConfig({ prediction_type: 'sample' }))).toThrow(/prediction_type 'sample' is not supported/);
  });
});

describe('addGateGradient', () => {
  it('adds the gradient through [S | G] = [e·u, σ((e·u − β)/τ)], matching central differences', () => {
    const d = 6;
    const tokens = 3;
    const rng = new Rng(2);
    const inverse = CovarianceInverse.fromEstimate({ matrix: Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 2 : 0.1)), dim: d });
    const direction = conceptDirection(rng.fillNormal(new Float64Array(d)), inverse);
    const gate = { beta: 0.3, tau: 0.2 };
    const e = rng.fillNormal(new Float64Array(tokens * d));
    const upstream = rng.fillNormal(new Float64Array(tokens * 2)); // ∂L/∂[S|G] for a loss L = Σ upstream·coeffs
    const loss = (x: Float64Array) => {
      const c = coefficients(x, [{ direction, ...gate }]);
      return c.reduce((sum, value, i) => sum + value * upstream[i]!, 0);
    };
    const gradient = new Float32Array(tokens * d);
    addGateGradient(gradient, upstream, coefficients(e, [{ direction, ...gate }]), direction.simVector, gate.tau);
    for (let i = 0; i < e.length; i++) {
      const h = 1e-3;
      const plus = e.slice();
      plus[i] += h;
      const minus = e.slice();
      minus[i] -= h;
      expect(gradient[i]).toBeCloseTo((loss(plus) - loss(minus)) / (2 * h), 3);
    }
  });
});

describe('resolveTrainingRequest', () => {
  const base = { images: 'photos', token: '<t>', supercategory: 'cat' };
  it('fills the defaults of public implementations', () => {
    expect(resolveTrainingRequest(base, 512)).toMatchObject({
      steps: 400,
      batchSize: 16,
      microBatchSize: 1,
      valueLearningRate: 0.03,
      embeddingLearningRate: 0.006,
      weightDecay: 0.01,
      resolution: 512,
      seed: 0,
      flips: true,
      gate: { beta: 0.75, tau: 0.1 },
      emaDecay: 0.99,
      checkpointEvery: 50,
      sampleEvery: 0,
    });
  });
  it.each([
    [{ steps: 0 }, /'steps' is 0; it must be an integer ≥ 1/],
    [{ batchSize: 16, microBatchSize: 3 }, /'microBatchSize' is 3; it must be a divisor of batchSize \(16\)/],
    [{ valueLearningRate: -1 }, /'valueLearningRate'/],
    [{ resolution: 100 }, /'resolution' is 100; it must be a multiple of 8/],
    [{ emaDecay: 1 }, /'emaDecay'/],
    [{ templates: ['no placeholder'] }, /'templates'.*'\{\}' exactly once/],
    [{ token: ' ' }, /'token'/],
    [{ gate: { beta: 0.5, tau: 0 } }, /'gate'/],
  ])('rejects %j', (change, message) => {
    expect(() => resolveTrainingRequest({ ...base, ...change }, 512)).toThrow(TrainingSetupError);
    expect(() => resolveTrainingRequest({ ...base, ...change }, 512)).toThrow(message);
  });
});
