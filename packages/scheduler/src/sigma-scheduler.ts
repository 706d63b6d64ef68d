import type { TimestepSpacing } from './config.js';
import type { SigmaSchedule } from './sigma-schedule.js';

/**
 * The part of the {@link Scheduler} interface that σ-parameterised schedulers (Euler, Euler-ancestral,
 * LMS) answer straight from their {@link SigmaSchedule}: the schedule, the initial noise scale, the
 * 1/√(σ²+1) input scaling and forward noising. Subclasses add `setTimesteps` and `step`.
 */
export abstract class SigmaScheduler {
  protected constructor(
    protected readonly sigmaSchedule: SigmaSchedule,
    private readonly timestepSpacing: TimestepSpacing,
  ) {}

  get timesteps(): readonly number[] {
    return this.sigmaSchedule.timesteps;
  }

  /** σ of each timestep of the schedule, then the final σ: one more than `timesteps`. */
  get sigmas(): Float32Array {
    return this.sigmaSchedule.sigmas;
  }

  get initNoiseSigma(): number {
    return this.sigmaSchedule.initNoiseSigma(this.timestepSpacing);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    return this.sigmaSchedule.scaleModelInput(sample, timestep);
  }

  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return this.sigmaSchedule.addNoise(originalSamples, noise, timestep);
  }
}
