import { describe, expect, it } from 'vitest';
import {
  DdimScheduler,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  PndmScheduler,
  SD15_SCHEDULER_CONFIG,
  SchedulerArgumentError,
  SchedulerStateError,
  UnsupportedSchedulerOptionError,
  parseSchedulerConfig,
  type NoiseSource,
} from '@perfusion/scheduler';

const sd15 = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);
const sd15With = (overrides: Record<string, unknown>) => parseSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, ...overrides });
const x = Float32Array.from([0.5, -1, 2, 0.25]);
const out = Float32Array.from([0.1, 0.2, -0.3, 0.4]);
const zeros: NoiseSource = { fillNormal: (a) => a.fill(0) };

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('using a scheduler out of order', () => {
  it('step before setTimesteps says to call setTimesteps', () => {
    for (const scheduler of [new DdimScheduler(sd15), new PndmScheduler(sd15), new EulerDiscreteScheduler(sd15), new EulerAncestralDiscreteScheduler(sd15)]) {
      const error = thrown(() => scheduler.step(out, 901, x, zeros));
      expect(error).toBeInstanceOf(SchedulerStateError);
      expect(error.message).toContain('setTimesteps');
    }
  });

  it('a sigma scheduler rejects a timestep outside its schedule, and steps past the end', () => {
    const euler = new EulerDiscreteScheduler(sd15);
    euler.setTimesteps(2);
    expect(thrown(() => euler.step(out, 500, x))).toBeInstanceOf(SchedulerStateError);
    for (const t of euler.timesteps) euler.step(out, t, x);
    expect(thrown(() => euler.step(out, euler.timesteps[0]!, x)).message).toContain('all 2 steps');
  });

  it("'leading' spacing refuses step counts whose timesteps would pass the last training timestep", () => {
    // SD 1.5's config: steps_offset 1, so 1000 steps would start at timestep 1000 (diffusers fails later, indexing ᾱ).
    for (const scheduler of [new DdimScheduler(sd15), new PndmScheduler(sd15)]) {
      const error = thrown(() => scheduler.setTimesteps(1000));
      expect(error).toBeInstanceOf(SchedulerArgumentError);
      expect(error.message).toMatch(/steps_offset 1 the first timestep would be 1000, past the last training timestep 999; choose fewer steps/);
      scheduler.setTimesteps(999);
      expect(scheduler.timesteps[0]).toBe(999);
    }
  });

  it('DDIM rejects a timestep that is not an integer training timestep', () => {
    const ddim = new DdimScheduler(sd15);
    ddim.setTimesteps(10);
    expect(thrown(() => ddim.step(out, 900.5, x))).toBeInstanceOf(SchedulerArgumentError);
    expect(thrown(() => ddim.step(out, 1000, x))).toBeInstanceOf(SchedulerArgumentError);
  });

  it('setTimesteps needs an integer step count from 1 to num_train_timesteps', () => {
    const ddim = new DdimScheduler(sd15);
    for (const n of [0, 1001, 2.5]) expect(thrown(() => ddim.setTimesteps(n))).toBeInstanceOf(SchedulerArgumentError);
  });

  it('the model output must have the sample\'s length', () => {
    const ddim = new DdimScheduler(sd15);
    ddim.setTimesteps(10);
    expect(thrown(() => ddim.step(out.subarray(1), 901, x)).message).toContain('modelOutput');
  });
});

describe('noise', () => {
  it('Euler-ancestral and DDIM with eta > 0 need a NoiseSource; DDIM with eta = 0 never draws', () => {
    const ancestral = new EulerAncestralDiscreteScheduler(sd15);
    ancestral.setTimesteps(10);
    expect(thrown(() => ancestral.step(out, ancestral.timesteps[0]!, x))).toBeInstanceOf(SchedulerArgumentError);
    const stochastic = new DdimScheduler(sd15, { eta: 0.5 });
    stochastic.setTimesteps(10);
    expect(thrown(() => stochastic.step(out, 901, x)).message).toContain('NoiseSource');
    const deterministic = new DdimScheduler(sd15);
    deterministic.setTimesteps(10);
    const untouchable: NoiseSource = { fillNormal: () => { throw new Error('drew noise'); } };
    expect(() => deterministic.step(out, 901, x, untouchable)).not.toThrow();
  });

  it('rejects a negative or non-finite eta', () => {
    expect(thrown(() => new DdimScheduler(sd15, { eta: -1 }))).toBeInstanceOf(SchedulerArgumentError);
    expect(thrown(() => new DdimScheduler(sd15, { eta: NaN }))).toBeInstanceOf(SchedulerArgumentError);
  });
});

describe('options diffusers has but this package does not implement', () => {
  const cases: [string, () => unknown][] = [
    ['prediction_type', () => new PndmScheduler(sd15With({ prediction_type: 'sample' }))],
    ['prediction_type', () => new EulerAncestralDiscreteScheduler(sd15With({ prediction_type: 'sample' }))],
    ['interpolation_type', () => new EulerDiscreteScheduler(sd15With({ interpolation_type: 'log_linear' }))],
    ['thresholding', () => new DdimScheduler(sd15With({ thresholding: true }))],
    ['rescale_betas_zero_snr', () => new EulerDiscreteScheduler(sd15With({ rescale_betas_zero_snr: true }))],
  ];
  for (const [key, create] of cases) {
    it(`${key}: throws UnsupportedSchedulerOptionError naming the key instead of sampling differently`, () => {
      const error = thrown(create);
      expect(error).toBeInstanceOf(UnsupportedSchedulerOptionError);
      expect((error as UnsupportedSchedulerOptionError).key).toBe(key);
    });
  }
});

describe('model input scaling and starting part-way (img2img)', () => {
  it('DDIM and PNDM pass the sample through; Euler divides by sqrt(sigma^2 + 1)', () => {
    expect(new DdimScheduler(sd15).scaleModelInput(x, 901)).toBe(x);
    expect(new PndmScheduler(sd15).scaleModelInput(x, 901)).toBe(x);
    const euler = new EulerDiscreteScheduler(sd15);
    euler.setTimesteps(10);
    const sigma = euler.sigmas[0]!;
    const scaled = euler.scaleModelInput(x, euler.timesteps[0]!);
    scaled.forEach((v, i) => expect(v).toBeCloseTo(x[i]! / Math.sqrt(sigma * sigma + 1), 6));
  });

  it('Euler started at the 4th timestep steps from sigma[3] to sigma[4] (epsilon: x + eps·(σ4 − σ3))', () => {
    const euler = new EulerDiscreteScheduler(sd15);
    euler.setTimesteps(10);
    const { prevSample } = euler.step(out, euler.timesteps[3]!, x);
    const dSigma = euler.sigmas[4]! - euler.sigmas[3]!;
    prevSample.forEach((v, i) => expect(v).toBeCloseTo(x[i]! + out[i]! * dSigma, 5));
  });

  it('setTimesteps starts a fresh run (PNDM forgets its history)', () => {
    const run = (pndm: PndmScheduler) => {
      pndm.setTimesteps(5);
      let sample: Float32Array = x;
      for (const t of pndm.timesteps) sample = pndm.step(out, t, sample).prevSample;
      return sample;
    };
    const pndm = new PndmScheduler(sd15);
    const first = run(pndm);
    expect(Array.from(run(pndm))).toEqual(Array.from(first));
  });
});
