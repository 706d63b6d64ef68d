import type { SchedulerConfig } from './config.js';
import { DPM_SOLVER_MULTISTEP_DEFAULTS, resolveSettings, type DpmSolverMultistepSettings } from './defaults.js';
import { dpmTimesteps, unclippedTimestepCount } from './dpm-timesteps.js';
import { SchedulerArgumentError, SchedulerStateError } from './errors.js';
import { roundHalfEven } from './numpy-compat.js';
import { requireLength, requireSupported, scratch } from './sample-checks.js';
import type { Scheduler, StepResult } from './scheduler.js';
import { SigmaSchedule } from './sigma-schedule.js';
import { karrasSigmas, sigmaToTimestep } from './sigmas.js';
import { requireStepCount } from './timesteps.js';

/** Per-instance choices that are not (or not only) in `scheduler_config.json`. */
export interface DpmSolverMultistepOptions {
  /**
   * Karras et al.'s σ spacing (the `dpm++2m-karras` sampler); overrides the config's
   * `use_karras_sigmas` when given.
   */
  readonly useKarrasSigmas?: boolean;
}

/** The data-prediction solver's coefficients for one step, from σ_s (now) to σ_t (next). */
interface StepCoefficients {
  /** σ_t/σ_s in the α/σ parameterisation: the weight of the current sample. */
  readonly sampleScale: number;
  /** α_t·(e^{−h} − 1), h = λ_t − λ_s: minus the weight of the data prediction (first order). */
  readonly phi: number;
  readonly h: number;
  readonly alphaNext: number;
}

/**
 * DPM-Solver++ (Lu et al. 2022, "DPM-Solver++: fast solver for guided sampling of diffusion
 * probabilistic models", arXiv:2211.01095), multistep, order 2 ("2M") or 1, with the numerics of
 * diffusers' `DPMSolverMultistepScheduler` (algorithm_type `dpmsolver++`, checked against diffusers
 * 0.40.0.dev0):
 *
 * - A σ of the k-diffusion form is mapped to α = 1/√(σ² + 1), σ_α = σ·α and log-SNR λ = log α − log σ_α.
 * - The model output becomes a data prediction x̂_0 (from ε, v or x_0 itself).
 * - First order (DDIM-equivalent): x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x̂_0 with h = λ_t − λ_s.
 * - Second order (`midpoint`): adds −½·α_t(e^{−h} − 1)·D1 with D1 = (x̂_0 − x̂_0,prev)/r,
 *   r = h_prev/h; `heun` adds α_t((e^{−h} − 1)/h + 1)·D1 instead.
 * - The first step is first order (no history yet), and so is the last one when the final σ is 0
 *   (final_sigmas_type `zero`, the default: it returns x̂_0), with `euler_at_final`, or with
 *   `lower_order_final` and fewer than 15 steps.
 *
 * The model is DDPM-parameterised: `initNoiseSigma` is 1 and `scaleModelInput` is the identity.
 * The scalar coefficients are computed in float64 (diffusers: float32 tensors), samples are float32.
 */
export class DpmSolverMultistepScheduler implements Scheduler {
  readonly name: 'dpm++2m' | 'dpm++2m-karras';
  /** One model evaluation per step (diffusers' `order`); the solver order is {@link solverOrder}. */
  readonly order = 1;
  readonly initNoiseSigma = 1;
  /** The settings in force: the config's values, diffusers' DPMSolverMultistep defaults for keys it lacks. */
  readonly settings: DpmSolverMultistepSettings;
  readonly useKarrasSigmas: boolean;
  /** How many past data predictions each step combines: 2 (DPM-Solver++ 2M) or 1. */
  readonly solverOrder: 1 | 2;
  private readonly sigmaSchedule: SigmaSchedule;
  /** Data predictions x̂_0 of this step and of the previous one (preallocated, swapped each step). */
  private x0Current: Float32Array | undefined;
  private x0Previous: Float32Array | undefined;
  /** Steps taken since setTimesteps, capped at the solver order (diffusers' `lower_order_nums`). */
  private lowerOrderCount = 0;

  constructor(
    readonly config: SchedulerConfig,
    options: DpmSolverMultistepOptions = {},
  ) {
    this.settings = resolveSettings(config, DPM_SOLVER_MULTISTEP_DEFAULTS);
    this.checkSupported();
    this.solverOrder = this.settings.solverOrder === 1 ? 1 : 2;
    this.useKarrasSigmas = options.useKarrasSigmas ?? this.settings.useKarrasSigmas;
    this.name = this.useKarrasSigmas ? 'dpm++2m-karras' : 'dpm++2m';
    this.sigmaSchedule = new SigmaSchedule(this.settings, 'DPM-Solver++');
  }

  private checkSupported(): void {
    const s = this.settings;
    const scheduler = 'DPMSolverMultistep';
    // diffusers itself rewrites `deis` to `dpmsolver++` and the UniPC solver types to `midpoint`.
    requireSupported(scheduler, 'algorithm_type', s.algorithmType, ['dpmsolver++', 'deis'], 'only DPM-Solver++ ("dpmsolver++") is implemented.');
    requireSupported(scheduler, 'solver_order', s.solverOrder, [1, 2], 'use 2 (DPM-Solver++ 2M) or 1.');
    requireSupported(scheduler, 'thresholding', s.thresholding, [false], 'dynamic thresholding suits pixel-space models only.');
    requireSupported(scheduler, 'variance_type', s.varianceType, [null], 'models that predict their variance are not supported.');
    requireSupported(scheduler, 'use_exponential_sigmas', s.useExponentialSigmas, [false], 'use use_karras_sigmas or the default spacing.');
    requireSupported(scheduler, 'use_beta_sigmas', s.useBetaSigmas, [false], 'use use_karras_sigmas or the default spacing.');
    requireSupported(scheduler, 'use_lu_lambdas', s.useLuLambdas, [false], 'use use_karras_sigmas or the default spacing.');
    requireSupported(scheduler, 'rescale_betas_zero_snr', s.rescaleBetasZeroSnr, [false], 'zero-terminal-SNR rescaling is not implemented.');
  }

  get timesteps(): readonly number[] {
    return this.sigmaSchedule.timesteps;
  }

  /** σ for each timestep of the schedule, then the final σ (0, or σ_min): one more than `timesteps`. */
  get sigmas(): Float32Array {
    return this.sigmaSchedule.sigmas;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { numTrainTimesteps, timestepSpacing, stepsOffset, lambdaMinClipped, betaSchedule, finalSigmasType } = this.settings;
    const training = this.sigmaSchedule.trainingSigmas;
    let timesteps: number[];
    let sigmas: number[];
    if (this.useKarrasSigmas) {
      requireStepCount(numInferenceSteps, numTrainTimesteps);
      sigmas = karrasSigmas(training[training.length - 1]!, training[0]!, numInferenceSteps);
      const logTable = this.sigmaSchedule.logTrainingSigmas;
      // diffusers keeps the cosine schedule's timesteps fractional, then truncates them to int64.
      const toInteger = betaSchedule === 'squaredcos_cap_v2' ? Math.trunc : roundHalfEven;
      timesteps = sigmas.map((sigma) => toInteger(sigmaToTimestep(sigma, logTable)));
    } else {
      const lastTimestep = unclippedTimestepCount(this.sigmaSchedule.alphasCumprod, lambdaMinClipped);
      timesteps = dpmTimesteps(numInferenceSteps, { spacing: timestepSpacing, numTrainTimesteps, stepsOffset, lastTimestep });
      sigmas = timesteps.map((t) => training[t]!);
    }
    const finalSigma = finalSigmasType === 'zero' ? 0 : training[0]!;
    this.sigmaSchedule.reset(timesteps, [...sigmas, finalSigma]);
    this.lowerOrderCount = 0;
  }

  /** DPM-Solver's model takes the sample unscaled: returns `sample` itself. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    requireLength('modelOutput', modelOutput, sample.length);
    const index = this.sigmaSchedule.current(timestep);
    const sigmas = this.sigmaSchedule.sigmas;
    const stepCount = this.timesteps.length;
    const { lowerOrderFinal, eulerAtFinal, finalSigmasType } = this.settings;
    const isLast = index === stepCount - 1;
    const firstOrderAtEnd = isLast && (eulerAtFinal || (lowerOrderFinal && stepCount < 15) || finalSigmasType === 'zero');
    const secondOrder = this.solverOrder === 2 && this.lowerOrderCount >= 1 && !firstOrderAtEnd;

    const previous = this.x0Previous;
    this.x0Previous = this.x0Current;
    this.x0Current = scratch(previous, sample.length, (n) => new Float32Array(n));
    const x0 = this.x0Current;
    this.predictData(modelOutput, sample, sigmas[index]!, x0);

    const { sampleScale, phi, h, alphaNext } = stepCoefficients(sigmas[index]!, sigmas[index + 1]!);
    const prevSample = new Float32Array(sample.length);
    if (secondOrder) {
      const x0Prev = this.x0Previous;
      if (x0Prev === undefined || x0Prev.length !== sample.length) {
        throw new SchedulerStateError('DPM-Solver++: the sample changed size in the middle of the schedule; call setTimesteps() to start again.');
      }
      const hPrev = logSnr(sigmas[index]!) - logSnr(sigmas[index - 1]!);
      const inverseRatio = h / hPrev;
      const d1Weight = this.settings.solverType === 'heun' ? alphaNext * (Math.expm1(-h) / h + 1) : -0.5 * phi;
      for (let i = 0; i < sample.length; i++) {
        const d1 = inverseRatio * (x0[i]! - x0Prev[i]!);
        prevSample[i] = sampleScale * sample[i]! - phi * x0[i]! + d1Weight * d1;
      }
    } else {
      for (let i = 0; i < sample.length; i++) prevSample[i] = sampleScale * sample[i]! - phi * x0[i]!;
    }
    this.lowerOrderCount = Math.min(this.lowerOrderCount + 1, this.solverOrder);
    this.sigmaSchedule.advance();
    return { prevSample, predOriginalSample: x0.slice() };
  }

  /** x̂_0 from the model output at σ (float32, as diffusers stores it). */
  private predictData(modelOutput: Float32Array, sample: Float32Array, sigma: number, out: Float32Array): void {
    const { alpha, sigmaAlpha } = alphaSigma(sigma);
    switch (this.settings.predictionType) {
      case 'epsilon':
        for (let i = 0; i < out.length; i++) out[i] = (sample[i]! - sigmaAlpha * modelOutput[i]!) / alpha;
        return;
      case 'v_prediction':
        for (let i = 0; i < out.length; i++) out[i] = alpha * sample[i]! - sigmaAlpha * modelOutput[i]!;
        return;
      case 'sample':
        out.set(modelOutput);
        return;
    }
  }

  /**
   * α_t·x_0 + σ_t·ε with α_t = 1/√(σ² + 1), σ_t = σ·α_t — the same as √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε. σ is the
   * current schedule's σ for `timestep` where the schedule has it (as diffusers), otherwise the
   * training σ of an integer training timestep (so training can use any timestep).
   */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    requireLength('noise', noise, originalSamples.length);
    const sigma = this.noiseLevel(timestep);
    const { alpha, sigmaAlpha } = alphaSigma(sigma);
    const out = new Float32Array(originalSamples.length);
    for (let i = 0; i < out.length; i++) out[i] = alpha * originalSamples[i]! + sigmaAlpha * noise[i]!;
    return out;
  }

  private noiseLevel(timestep: number): number {
    if (this.timesteps.includes(timestep)) return this.sigmas[this.sigmaSchedule.indexOf(timestep)]!;
    const training = this.sigmaSchedule.trainingSigmas[timestep];
    if (!Number.isInteger(timestep) || training === undefined) {
      throw new SchedulerArgumentError(
        'timestep',
        `got ${timestep}; it must be an integer training timestep from 0 to ${this.settings.numTrainTimesteps - 1} or one of scheduler.timesteps.`,
      );
    }
    return training;
  }
}

/** The α/σ parameterisation of a k-diffusion σ: x = α·x_0 + σ_α·ε with α² + σ_α² = 1. */
function alphaSigma(sigma: number): { alpha: number; sigmaAlpha: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return { alpha, sigmaAlpha: sigma * alpha };
}

/** λ = log α − log σ_α (half the log signal-to-noise ratio); +∞ at σ = 0. */
function logSnr(sigma: number): number {
  const { alpha, sigmaAlpha } = alphaSigma(sigma);
  return Math.log(alpha) - Math.log(sigmaAlpha);
}

function stepCoefficients(sigmaNow: number, sigmaNext: number): StepCoefficients {
  const now = alphaSigma(sigmaNow);
  const next = alphaSigma(sigmaNext);
  const h = logSnr(sigmaNext) - logSnr(sigmaNow);
  // e^{−h} − 1 via expm1 keeps small steps accurate; at σ_next = 0, h = ∞ and phi = −α_next = −1.
  return { sampleScale: next.sigmaAlpha / now.sigmaAlpha, phi: next.alpha * Math.expm1(-h), h, alphaNext: next.alpha };
}
