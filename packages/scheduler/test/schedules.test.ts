import { describe, expect, it } from 'vitest';
import {
  DdimScheduler,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  PndmScheduler,
  SD15_SCHEDULER_CONFIG,
  parseSchedulerConfig,
} from '@perfusion/scheduler';
import { golden, type GoldenSigmaSchedule } from './schedulers-golden.js';

// Timesteps and sigmas of SD-1.5's scheduler_config.json at 10, 25 and 50 steps, against
// golden/schedulers.json (numpy reference of diffusers' spacing rules; see its header). SD-1.5's file
// has no timestep_spacing, so DDIM and PNDM resolve 'leading' and the Euler schedulers 'linspace',
// each taking its own diffusers default: the plain entries check exactly that.

function sd15(overrides: Record<string, unknown> = {}) {
  return parseSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, ...overrides });
}

/** |a − e| ≤ atol elementwise, reporting the first offending index. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], atol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= atol)) {
      expect.fail(`element ${i}: ${actual[i]} vs expected ${expected[i]} (allowed difference ${atol})`);
    }
  }
}

describe.each(['10', '25', '50'] as const)('SD-1.5 schedules at %s steps', (steps) => {
  const n = Number(steps);
  const expected = golden.schedules[steps];

  it('DDIM (leading, plus steps_offset 1), trailing and linspace timesteps are exact', () => {
    for (const [spacing, want] of [
      [undefined, expected.ddim],
      ['trailing', expected.ddim_trailing],
      ['linspace', expected.ddim_linspace],
    ] as const) {
      const ddim = new DdimScheduler(sd15(spacing ? { timestep_spacing: spacing } : {}));
      ddim.setTimesteps(n);
      expect(ddim.timesteps).toEqual(want);
    }
  });

  it('PNDM visits PLMS timesteps with the second one doubled; PRK and trailing variants are exact', () => {
    for (const [overrides, want] of [
      [{}, expected.pndm],
      [{ skip_prk_steps: false }, expected.pndm_prk],
      [{ timestep_spacing: 'trailing' }, expected.pndm_trailing],
    ] as const) {
      const pndm = new PndmScheduler(sd15(overrides));
      pndm.setTimesteps(n);
      expect(pndm.timesteps).toEqual(want);
    }
  });

  // Sigmas reproduce diffusers' float32 values bit for bit, Karras' included. Karras timesteps are
  // found back from log σ, and NumPy's float32 log is not correctly rounded (the reference's log differs
  // from the exact one for some table entries, counted in its header): that moves a timestep by up to
  // one float32 ulp (6.1e-5 below t = 1024; seen: 3 of 10 timesteps), so those get two ulps of slack.
  const sigmaCases: [string, Record<string, unknown>, GoldenSigmaSchedule, number][] = [
    ['Euler (linspace)', {}, expected.euler, 0],
    ['Euler leading', { timestep_spacing: 'leading' }, expected.euler_leading, 0],
    ['Euler trailing', { timestep_spacing: 'trailing' }, expected.euler_trailing, 0],
    ['Euler Karras', { use_karras_sigmas: true }, expected.euler_karras, 2 * 2 ** -14],
  ];
  for (const [label, overrides, want, timestepAtol] of sigmaCases) {
    it(`${label}: timesteps, sigmas and init_noise_sigma`, () => {
      const euler = new EulerDiscreteScheduler(sd15(overrides));
      euler.setTimesteps(n);
      if (timestepAtol === 0) expect(euler.timesteps).toEqual(want.timesteps);
      else expectClose(euler.timesteps, want.timesteps, timestepAtol);
      expect(Array.from(euler.sigmas)).toEqual(want.sigmas);
      expect(euler.initNoiseSigma).toBe(want.init_noise_sigma);
    });
  }

  it('Euler-ancestral: timesteps, sigmas and init_noise_sigma', () => {
    const ancestral = new EulerAncestralDiscreteScheduler(sd15());
    ancestral.setTimesteps(n);
    expect(ancestral.timesteps).toEqual(expected.euler_a.timesteps);
    expect(Array.from(ancestral.sigmas)).toEqual(expected.euler_a.sigmas);
    expect(ancestral.initNoiseSigma).toBe(expected.euler_a.init_noise_sigma);
  });
});

describe('SD-1.5 schedules, well-known values', () => {
  it('PNDM at 10 steps starts 901, 801, 801 and ends at 1 (diffusers\' documented PLMS order)', () => {
    const pndm = new PndmScheduler(sd15());
    pndm.setTimesteps(10);
    expect(pndm.timesteps.slice(0, 3)).toEqual([901, 801, 801]);
    expect(pndm.timesteps.at(-1)).toBe(1);
  });
});
