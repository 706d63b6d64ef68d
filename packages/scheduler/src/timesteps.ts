import type { TimestepSpacing } from './config.js';
import { SchedulerArgumentError } from './errors.js';
import { numpyArange, numpyLinspace, roundHalfEven } from './numpy-compat.js';

/** What differs between diffusers' schedulers when they space their timesteps. */
export interface SpacingOptions {
  readonly spacing: TimestepSpacing;
  readonly numTrainTimesteps: number;
  /** Added to `leading` timesteps only (diffusers ignores it for the other spacings). */
  readonly stepsOffset: number;
  /**
   * `linspace` timesteps are rounded to integers (half to even) by DDIM and PNDM, but kept
   * fractional (rounded to float32) by the sigma-based schedulers, which interpolate σ between them.
   */
  readonly roundLinspace: boolean;
}

/**
 * The `numInferenceSteps` training timesteps a sampler visits, from noisiest to cleanest, as diffusers
 * computes them (Lin et al. 2023, "Common diffusion noise schedules and sample steps are flawed", table 2):
 * - `leading`: 0, r, 2r, … with r = ⌊N/n⌋, plus steps_offset (SD-1.5: 1, 101, …, 901 at 10 steps);
 * - `trailing`: round(N, N − N/n, …) − 1, so the first step is always N − 1;
 * - `linspace`: n points evenly spaced over [0, N − 1].
 *
 * @throws {SchedulerArgumentError} unless 1 ≤ numInferenceSteps ≤ num_train_timesteps.
 */
export function spacedTimesteps(numInferenceSteps: number, options: SpacingOptions): number[] {
  const n = numInferenceSteps;
  const total = options.numTrainTimesteps;
  requireStepCount(n, total);
  switch (options.spacing) {
    case 'leading': {
      const ratio = Math.floor(total / n);
      const last = (n - 1) * ratio + options.stepsOffset;
      // diffusers computes these too and fails later, indexing ᾱ past its end; refuse up front.
      if (last > total - 1) {
        throw new SchedulerArgumentError(
          'numInferenceSteps',
          `got ${n}; with 'leading' timestep spacing and steps_offset ${options.stepsOffset} the first timestep would be ${last}, past the last training timestep ${total - 1}; choose fewer steps.`,
        );
      }
      return Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + options.stepsOffset);
    }
    case 'trailing':
      return numpyArange(total, 0, -total / n).map((t) => roundHalfEven(t) - 1);
    case 'linspace': {
      const points = numpyLinspace(0, total - 1, n).reverse();
      return points.map(options.roundLinspace ? roundHalfEven : Math.fround);
    }
  }
}

/** @throws {SchedulerArgumentError} unless 1 ≤ numInferenceSteps ≤ num_train_timesteps. */
export function requireStepCount(numInferenceSteps: number, numTrainTimesteps: number): void {
  const n = numInferenceSteps;
  if (!Number.isInteger(n) || n < 1 || n > numTrainTimesteps) {
    throw new SchedulerArgumentError(
      'numInferenceSteps',
      `got ${n}; it must be an integer from 1 to num_train_timesteps (${numTrainTimesteps}), the number of steps the model was trained with.`,
    );
  }
}
