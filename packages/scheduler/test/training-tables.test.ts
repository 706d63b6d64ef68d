import { describe, expect, it } from 'vitest';
import { SchedulerConfigError, alphasCumprod, computeBetas } from '@perfusion/scheduler';
import { golden } from './schedulers-golden.js';

// The golden tables are torch's own float32 results (torch.linspace, ** 2, torch.cumprod), made by
// golden/schedulers_reference.py with torch 1.13.1 on an AVX2 CPU kernel. We reproduce torch's
// arithmetic, so every value must match to the last bit.

const cases = [
  ['scaled_linear_sd15', { betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012 }],
  ['linear_default', { betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 }],
  ['squaredcos_cap_v2', { betaSchedule: 'squaredcos_cap_v2', betaStart: 0.0001, betaEnd: 0.02 }],
] as const;

describe('training noise schedule', () => {
  for (const [name, schedule] of cases) {
    it(`${name}: betas and cumulative alphas equal torch's float32 values bit for bit`, () => {
      const betas = computeBetas({ numTrainTimesteps: 1000, trainedBetas: null, ...schedule });
      expect(Array.from(betas)).toEqual(golden.tables[name].betas);
      expect(Array.from(alphasCumprod(betas))).toEqual(golden.tables[name].alphas_cumprod);
    });
  }

  it('uses trained_betas verbatim (rounded to float32) instead of the named schedule', () => {
    const betas = computeBetas({ numTrainTimesteps: 3, betaSchedule: 'linear', betaStart: 0.1, betaEnd: 0.2, trainedBetas: [0.5, 0.25, 0.1] });
    expect(Array.from(betas)).toEqual([0.5, 0.25, Math.fround(0.1)]);
  });

  it('rejects trained_betas whose length is not num_train_timesteps, naming the key', () => {
    expect(() => computeBetas({ numTrainTimesteps: 4, betaSchedule: 'linear', betaStart: 0.1, betaEnd: 0.2, trainedBetas: [0.5, 0.25] })).toThrow(
      expect.objectContaining({ constructor: SchedulerConfigError, key: 'trained_betas' }),
    );
  });
});
