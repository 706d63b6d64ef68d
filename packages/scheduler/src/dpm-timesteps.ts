import type { TimestepSpacing } from './config.js';
import { numpyArange, numpyLinspace, roundHalfEven } from './numpy-compat.js';
import { requireStepCount } from './timesteps.js';

const f32 = Math.fround;

/** What DPM-Solver's timestep spacing depends on. */
export interface DpmSpacingOptions {
  readonly spacing: TimestepSpacing;
  readonly numTrainTimesteps: number;
  /** Added to `leading` timesteps only. */
  readonly stepsOffset: number;
  /**
   * One past the largest timestep the schedule may use: num_train_timesteps unless
   * `lambda_min_clipped` cuts off the noisiest end (see {@link unclippedTimestepCount}).
   */
  readonly lastTimestep: number;
}

/**
 * The integer timesteps DPM-Solver visits, noisiest first, as diffusers' `DPMSolverMultistepScheduler`
 * spaces them. Unlike DDIM/Euler it spaces n + 1 points and drops the last (timestep 0 for
 * `linspace`), so the final step lands on σ = 0 rather than on timestep 0's σ:
 * - `linspace`: round-half-even of n + 1 points evenly spaced over [0, last − 1], reversed, the last dropped
 *   (SD-1.5 at 10 steps: 999, 899, …, 500, 400, …, 100);
 * - `leading`: i·⌊last/(n + 1)⌋ for i = n … 1, plus steps_offset;
 * - `trailing`: round(last, last − N/n, …) − 1 (N = num_train_timesteps).
 *
 * @throws {SchedulerArgumentError} unless 1 ≤ numInferenceSteps ≤ num_train_timesteps.
 */
export function dpmTimesteps(numInferenceSteps: number, options: DpmSpacingOptions): number[] {
  const n = numInferenceSteps;
  const total = options.numTrainTimesteps;
  requireStepCount(n, total);
  const last = options.lastTimestep;
  switch (options.spacing) {
    case 'linspace':
      return numpyLinspace(0, last - 1, n + 1).map(roundHalfEven).reverse().slice(0, n);
    case 'leading': {
      const ratio = Math.floor(last / (n + 1));
      return Array.from({ length: n }, (_, i) => (n - i) * ratio + options.stepsOffset);
    }
    case 'trailing':
      return numpyArange(last, 0, -total / n).map((t) => roundHalfEven(t) - 1);
  }
}

/**
 * How many training timesteps, counted from 0, have a log-SNR λ_t = log √ᾱ_t − log √(1 − ᾱ_t) of at
 * least `lambdaMinClipped` (float32, as diffusers computes λ). diffusers uses it to keep the cosine
 * schedule's last, nearly pure-noise timesteps out of the schedule; the default −∞ keeps them all.
 */
export function unclippedTimestepCount(alphasCumprod: Float32Array, lambdaMinClipped: number): number {
  let clipped = 0;
  for (const alphaBar of alphasCumprod) {
    const lambda = f32(f32(Math.log(f32(Math.sqrt(alphaBar)))) - f32(Math.log(f32(Math.sqrt(f32(1 - alphaBar))))));
    if (lambda < lambdaMinClipped) clipped++;
  }
  return alphasCumprod.length - clipped;
}
