import type { SchedulerConfig } from './config.js';
import { EULER_DEFAULTS, resolveSettings, type EulerSettings } from './defaults.js';
import { requireLength, requireSupported } from './sample-checks.js';
import type { Scheduler, StepResult } from './scheduler.js';
import { SigmaSchedule } from './sigma-schedule.js';
import { SigmaScheduler } from './sigma-scheduler.js';
import { interpolateSigmas, karrasSigmas, sigmaToTimestep } from './sigmas.js';
import { spacedTimesteps } from './timesteps.js';

/** Overrides of config settings, for registry entries such as a Karras variant. */
export interface EulerOverrides {
  readonly useKarrasSigmas?: boolean;
}

/**
 * Euler's method on the probability-flow ODE dx/dσ = (x − x̂_0)/σ (Karras et al. 2022, algorithm 2
 * without churn), with the numerics of diffusers' `EulerDiscreteScheduler`: σ interpolated linearly
 * from the training table at (possibly fractional) timesteps, or Karras' σ spacing with timesteps
 * found back from σ; model inputs scaled by 1/√(σ²+1).
 */
export class EulerDiscreteScheduler extends SigmaScheduler implements Scheduler {
  readonly name = 'euler';
  readonly order = 1;
  /** The settings in force: the config's values (and overrides), diffusers' Euler defaults for keys it lacks. */
  readonly settings: EulerSettings;

  constructor(
    readonly config: SchedulerConfig,
    overrides: EulerOverrides = {},
  ) {
    const { useKarrasSigmas } = overrides;
    const s = resolveSettings(useKarrasSigmas === undefined ? config : { ...config, useKarrasSigmas }, EULER_DEFAULTS);
    requireSupported('Euler', 'interpolation_type', s.interpolationType, ['linear'], 'only linear interpolation is implemented.');
    requireSupported('Euler', 'use_exponential_sigmas', s.useExponentialSigmas, [false], 'use the Karras option instead.');
    requireSupported('Euler', 'use_beta_sigmas', s.useBetaSigmas, [false], 'use the Karras option instead.');
    requireSupported('Euler', 'rescale_betas_zero_snr', s.rescaleBetasZeroSnr, [false], 'zero-terminal-SNR is not implemented.');
    if (s.predictionType === 'v_prediction') {
      requireSupported('Euler', 'timestep_type', s.timestepType, ['discrete'], 'continuous timesteps are not implemented.');
    }
    super(new SigmaSchedule(s, 'Euler'), s.timestepSpacing);
    this.settings = s;
  }

  setTimesteps(numInferenceSteps: number): void {
    const s = this.settings;
    const table = this.sigmaSchedule.trainingSigmas;
    let timesteps = spacedTimesteps(numInferenceSteps, {
      spacing: s.timestepSpacing,
      numTrainTimesteps: s.numTrainTimesteps,
      stepsOffset: s.stepsOffset,
      roundLinspace: false,
    });
    let sigmas = interpolateSigmas(timesteps, table);
    if (s.useKarrasSigmas) {
      sigmas = karrasSigmas(s.sigmaMax ?? sigmas[0]!, s.sigmaMin ?? sigmas[sigmas.length - 1]!, numInferenceSteps);
      timesteps = sigmas.map((sigma) => sigmaToTimestep(sigma, this.sigmaSchedule.logTrainingSigmas));
    }
    const finalSigma = s.finalSigmasType === 'sigma_min' ? table[0]! : 0;
    this.sigmaSchedule.reset(timesteps, [...sigmas, finalSigma]);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    requireLength('modelOutput', modelOutput, sample.length);
    const index = this.sigmaSchedule.current(timestep);
    const sigma = this.sigmas[index]!;
    const dt = this.sigmas[index + 1]! - sigma;
    const { predictionType } = this.settings;
    const vScale = -sigma / Math.sqrt(sigma * sigma + 1);
    const vSampleScale = 1 / (sigma * sigma + 1);
    const prevSample = new Float32Array(sample.length);
    const predOriginalSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const out = modelOutput[i]!;
      const x0 =
        predictionType === 'epsilon' ? x - sigma * out : predictionType === 'sample' ? out : out * vScale + x * vSampleScale;
      const derivative = (x - x0) / sigma;
      prevSample[i] = x + derivative * dt;
      predOriginalSample[i] = x0;
    }
    this.sigmaSchedule.advance();
    return { prevSample, predOriginalSample };
  }

  /** x_0 + σ_t·ε; `timestep` must be in the current schedule (call setTimesteps first). */
}
