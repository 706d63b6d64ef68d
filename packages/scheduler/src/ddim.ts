import { AlphaSchedule } from './alpha-schedule.js';
import type { SchedulerConfig } from './config.js';
import { DDIM_DEFAULTS, resolveSettings, type DdimSettings } from './defaults.js';
import { SchedulerArgumentError, SchedulerStateError } from './errors.js';
import { requireLength, requireSupported, scratch } from './sample-checks.js';
import type { NoiseSource, Scheduler, StepResult } from './scheduler.js';
import { spacedTimesteps } from './timesteps.js';

/** Options of DDIM's `step` in diffusers, fixed per scheduler here. */
export interface DdimOptions {
  /**
   * η of Song et al.: 0 (default) is deterministic DDIM, 1 matches DDPM's ancestral variance. With η > 0
   * every step adds η·σ_t·z with z drawn from the NoiseSource passed to `step`.
   */
  readonly eta?: number;
  /** Re-derive ε from the clipped x̂_0 (diffusers' `use_clipped_model_output`; GLIDE does). Default false. */
  readonly useClippedModelOutput?: boolean;
}

/**
 * DDIM (Song, Meng & Ermon 2020, "Denoising diffusion implicit models", eq. 12 and 16), with the
 * numerics of diffusers' `DDIMScheduler`: x̂_0 from the model output, optional clipping of x̂_0,
 * then x_{t−1} = √ᾱ_{t−1}·x̂_0 + √(1 − ᾱ_{t−1} − σ_t²)·ε̂ (+ σ_t·z when η > 0).
 */
export class DdimScheduler implements Scheduler {
  readonly name = 'ddim';
  readonly order = 1;
  readonly initNoiseSigma = 1;
  /** The settings in force: the config's values, diffusers' DDIM defaults for keys it lacks. */
  readonly settings: DdimSettings;
  readonly eta: number;
  readonly useClippedModelOutput: boolean;
  private readonly alphas: AlphaSchedule;
  private schedule: readonly number[] = Object.freeze([]);
  private stepRatio = 0;
  private noise: Float32Array | undefined;

  constructor(
    readonly config: SchedulerConfig,
    options: DdimOptions = {},
  ) {
    this.settings = resolveSettings(config, DDIM_DEFAULTS);
    const { thresholding, rescaleBetasZeroSnr } = this.settings;
    requireSupported('DDIM', 'thresholding', thresholding, [false], 'it suits pixel-space models only.');
    requireSupported('DDIM', 'rescale_betas_zero_snr', rescaleBetasZeroSnr, [false], 'zero-terminal-SNR is not implemented.');
    const eta = options.eta ?? 0;
    if (!(eta >= 0 && Number.isFinite(eta))) {
      throw new SchedulerArgumentError('eta', `got ${eta}; it must be a finite number >= 0 (0: deterministic, 1: DDPM-like).`);
    }
    this.eta = eta;
    this.useClippedModelOutput = options.useClippedModelOutput ?? false;
    this.alphas = new AlphaSchedule(this.settings);
  }

  /** ᾱ_t for every training timestep (float32, as diffusers). */
  get alphasCumprod(): Float32Array {
    return this.alphas.alphasCumprod;
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { timestepSpacing, numTrainTimesteps, stepsOffset } = this.settings;
    const spacing = { spacing: timestepSpacing, numTrainTimesteps, stepsOffset, roundLinspace: true };
    this.schedule = Object.freeze(spacedTimesteps(numInferenceSteps, spacing));
    // diffusers steps back by ⌊N/n⌋ whatever the spacing, so trailing/linspace schedules also use it.
    this.stepRatio = Math.floor(numTrainTimesteps / numInferenceSteps);
  }

  /** DDIM does not scale its input: returns `sample` itself. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): StepResult {
    if (this.stepRatio === 0) throw new SchedulerStateError('DDIM: call setTimesteps(numInferenceSteps) before step().');
    requireLength('modelOutput', modelOutput, sample.length);
    const alphaT = this.alphas.at(timestep);
    const alphaPrev = this.alphas.atPrevious(timestep - this.stepRatio);
    const betaT = 1 - alphaT;
    const sqrtAlphaT = Math.sqrt(alphaT);
    const sqrtBetaT = Math.sqrt(betaT);
    const variance = ((1 - alphaPrev) / betaT) * (1 - alphaT / alphaPrev);
    const stdDev = this.eta * Math.sqrt(variance);
    const directionScale = Math.sqrt(1 - alphaPrev - stdDev * stdDev);
    const sqrtAlphaPrev = Math.sqrt(alphaPrev);
    const { predictionType, clipSample, clipSampleRange } = this.settings;

    let z: Float32Array | undefined;
    if (this.eta > 0) {
      if (noise === undefined) {
        const why = `DDIM with eta ${this.eta} adds fresh noise every step; pass a NoiseSource to step().`;
        throw new SchedulerArgumentError('noise', why);
      }
      this.noise = scratch(this.noise, sample.length, (n) => new Float32Array(n));
      z = noise.fillNormal(this.noise);
    }

    const prevSample = new Float32Array(sample.length);
    const predOriginalSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const out = modelOutput[i]!;
      let x0: number;
      let eps: number;
      if (predictionType === 'epsilon') {
        x0 = (x - sqrtBetaT * out) / sqrtAlphaT;
        eps = out;
      } else if (predictionType === 'sample') {
        x0 = out;
        eps = (x - sqrtAlphaT * x0) / sqrtBetaT;
      } else {
        x0 = sqrtAlphaT * x - sqrtBetaT * out;
        eps = sqrtAlphaT * out + sqrtBetaT * x;
      }
      if (clipSample) x0 = Math.min(clipSampleRange, Math.max(-clipSampleRange, x0));
      if (this.useClippedModelOutput) eps = (x - sqrtAlphaT * x0) / sqrtBetaT;
      let prev = sqrtAlphaPrev * x0 + directionScale * eps;
      if (z !== undefined) prev += stdDev * z[i]!;
      prevSample[i] = prev;
      predOriginalSample[i] = x0;
    }
    return { prevSample, predOriginalSample };
  }

  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return this.alphas.addNoise(originalSamples, noise, timestep);
  }
}
