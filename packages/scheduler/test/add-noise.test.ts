import { describe, expect, it } from 'vitest';
import { DdimScheduler, EulerAncestralDiscreteScheduler, EulerDiscreteScheduler, PndmScheduler, SD15_SCHEDULER_CONFIG, SchedulerStateError, parseSchedulerConfig } from '@perfusion/scheduler';
import { golden, relativeError } from './schedulers-golden.js';

// Forward diffusion for training. Golden values: golden/schedulers.json, computed in float32 by the
// numpy reference as √ᾱ_t·x0 + √(1−ᾱ_t)·ε (DDPM-style) and x0 + σ·ε (sigma-style, σ of the 4th
// timestep of a 10-step schedule), from its latents (x0) and its first 16 noise values (ε).
// Within 2 float32 roundings of each other (we round a fused a·x + b·ε once): 2.4e-7 relative.

const sd15 = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);
const x0 = Float32Array.from(golden.loop_inputs.latents);
const eps = Float32Array.from(golden.loop_inputs.noise.slice(0, x0.length));

describe('addNoise', () => {
  it('DDIM and PNDM: sqrt(alphas_cumprod[t])·x0 + sqrt(1 − alphas_cumprod[t])·noise', () => {
    for (const scheduler of [new DdimScheduler(sd15), new PndmScheduler(sd15)]) {
      const noisy = scheduler.addNoise(x0, eps, golden.add_noise.timestep_ddpm);
      expect(relativeError(noisy, golden.add_noise.ddpm)).toBeLessThan(2.4e-7);
    }
  });

  it('Euler and Euler-ancestral: x0 + sigma(t)·noise for a timestep of the current schedule', () => {
    for (const scheduler of [new EulerDiscreteScheduler(sd15), new EulerAncestralDiscreteScheduler(sd15)]) {
      scheduler.setTimesteps(10);
      expect(scheduler.timesteps[3]).toBe(golden.add_noise.timestep_euler);
      const noisy = scheduler.addNoise(x0, eps, golden.add_noise.timestep_euler);
      expect(relativeError(noisy, golden.add_noise.euler)).toBeLessThan(2.4e-7);
    }
  });

  it('Euler rejects a timestep that is not in the schedule', () => {
    const euler = new EulerDiscreteScheduler(sd15);
    euler.setTimesteps(10);
    expect(() => euler.addNoise(x0, eps, 500)).toThrow(SchedulerStateError);
  });
});
