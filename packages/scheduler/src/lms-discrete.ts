import type { SchedulerConfig } from './config.js';
import { LMS_DEFAULTS, resolveSettings, type LmsSettings } from './defaults.js';
import { SchedulerStateError } from './errors.js';
import { lmsCoefficients } from './lms-coefficients.js';
import { requireLength, requireSupported, scratch } from './sample-checks.js';
import type { Scheduler, StepResult } from './scheduler.js';
import { SigmaSchedule } from './sigma-schedule.js';
import { SigmaScheduler } from './sigma-scheduler.js';
import { interpolateSigmas, karrasSigmas, sigmaToTimestep } from './sigmas.js';
import { spacedTimesteps } from './timesteps.js';

/** diffusers' default `order` argument of `LMSDiscreteScheduler.step`: four past derivatives. */
const LMS_ORDER = 4;

/**
 * Linear multistep sampling on the σ axis (k-diffusion's `sample_lms`), with the numerics of
 * diffusers' `LMSDiscreteScheduler` (checked against diffusers 0.40.0.dev0):
 *
 * - σ_i is the training σ interpolated at each (possibly fractional) timestep, then a final σ of 0;
 *   Karras et al.'s spacing (`use_karras_sigmas`) re-spaces them between the same ends and maps each
 *   back to a fractional timestep by log-σ interpolation.
 * - Each step turns the model output into x̂_0, stores the derivative d_i = (x − x̂_0)/σ_i, and moves
 *   x ← x + Σ_j c_j·d_{i−j} over the last min(i + 1, 4) derivatives, where c_j integrates the Lagrange
 *   basis polynomial of node σ_{i−j} from σ_i to σ_{i+1} (see `lms-coefficients.ts`).
 * - The model sees x/√(σ² + 1); the initial noise is scaled by `initNoiseSigma` (σ_max, or
 *   √(σ_max² + 1) with `leading` spacing).
 *
 * Derivatives live in buffers allocated once per sample size and reused across steps.
 */
export class LmsDiscreteScheduler extends SigmaScheduler implements Scheduler {
  readonly name = 'lms';
  /** One model evaluation per step (diffusers' `order`); the multistep order is up to 4. */
  readonly order = 1;
  /** The settings in force: the config's values, diffusers' LMSDiscrete defaults for keys it lacks. */
  readonly settings: LmsSettings;
  /** Ring of the last LMS_ORDER derivatives; the newest is at `newestDerivative`. */
  private derivatives: Float32Array[] = [];
  private derivativeCount = 0;
  private newestDerivative = -1;
  private readonly coefficients = new Float64Array(LMS_ORDER);

  constructor(readonly config: SchedulerConfig) {
    const settings = resolveSettings(config, LMS_DEFAULTS);
    const scheduler = 'LMSDiscrete';
    requireSupported(scheduler, 'use_exponential_sigmas', settings.useExponentialSigmas, [false], 'use use_karras_sigmas or the default spacing.');
    requireSupported(scheduler, 'use_beta_sigmas', settings.useBetaSigmas, [false], 'use use_karras_sigmas or the default spacing.');
    super(new SigmaSchedule(settings, 'LMS'), settings.timestepSpacing);
    this.settings = settings;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { timestepSpacing, numTrainTimesteps, stepsOffset, useKarrasSigmas } = this.settings;
    let timesteps = spacedTimesteps(numInferenceSteps, { spacing: timestepSpacing, numTrainTimesteps, stepsOffset, roundLinspace: false });
    let sigmas = interpolateSigmas(timesteps, this.sigmaSchedule.trainingSigmas);
    if (useKarrasSigmas) {
      sigmas = karrasSigmas(sigmas[0]!, sigmas[sigmas.length - 1]!, numInferenceSteps);
      const logTable = this.sigmaSchedule.logTrainingSigmas;
      timesteps = sigmas.map((sigma) => sigmaToTimestep(sigma, logTable));
    }
    this.sigmaSchedule.reset(timesteps, [...sigmas, 0]);
    this.derivativeCount = 0;
    this.newestDerivative = -1;
  }

  /** x/√(σ² + 1) for the σ of `timestep`: a new array. */

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    requireLength('modelOutput', modelOutput, sample.length);
    const index = this.sigmaSchedule.current(timestep);
    const sigmas = this.sigmaSchedule.sigmas;
    const sigma = sigmas[index]!;
    const predOriginalSample = this.predictOriginal(modelOutput, sample, sigma);
    const derivative = this.nextDerivativeBuffer(sample.length);
    for (let i = 0; i < sample.length; i++) derivative[i] = (sample[i]! - predOriginalSample[i]!) / sigma;

    // diffusers computes the coefficients for min(index + 1, 4) nodes even when fewer derivatives
    // are stored (a loop that starts part-way down the schedule), then uses only the stored ones.
    const order = Math.min(index + 1, LMS_ORDER);
    lmsCoefficients(sigmas, index, order, this.coefficients);
    const used = Math.min(order, this.derivativeCount);
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      let x = sample[i]!;
      for (let j = 0; j < used; j++) x += this.coefficients[j]! * this.derivativeAt(j)[i]!;
      prevSample[i] = x;
    }
    this.sigmaSchedule.advance();
    return { prevSample, predOriginalSample };
  }

  /** x̂_0 from the model output at σ (float32, as diffusers stores it). */
  private predictOriginal(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const out = new Float32Array(sample.length);
    switch (this.settings.predictionType) {
      case 'epsilon':
        for (let i = 0; i < out.length; i++) out[i] = sample[i]! - sigma * modelOutput[i]!;
        break;
      case 'v_prediction': {
        const variance = sigma * sigma + 1;
        const outputScale = -sigma / Math.sqrt(variance);
        for (let i = 0; i < out.length; i++) out[i] = modelOutput[i]! * outputScale + sample[i]! / variance;
        break;
      }
      case 'sample':
        out.set(modelOutput);
        break;
    }
    return out;
  }

  /** The buffer for this step's derivative: the oldest of the ring once it is full. */
  private nextDerivativeBuffer(length: number): Float32Array {
    if (this.derivativeCount > 0 && this.derivatives[this.newestDerivative]!.length !== length) {
      throw new SchedulerStateError('LMS: the sample changed size in the middle of the schedule; call setTimesteps() to start again.');
    }
    this.newestDerivative = (this.newestDerivative + 1) % LMS_ORDER;
    const slot = this.newestDerivative;
    this.derivatives[slot] = scratch(this.derivatives[slot], length, (n) => new Float32Array(n));
    this.derivativeCount = Math.min(this.derivativeCount + 1, LMS_ORDER);
    return this.derivatives[slot]!;
  }

  /** The derivative stored `age` steps ago (0 = this step's). */
  private derivativeAt(age: number): Float32Array {
    return this.derivatives[(this.newestDerivative - age + LMS_ORDER) % LMS_ORDER]!;
  }

  /** x_0 + σ·ε with σ of `timestep` in the current schedule. */
}
