import type { SchedulerConfig } from './config.js';
import { EULER_ANCESTRAL_DEFAULTS, resolveSettings, type EulerAncestralSettings } from './defaults.js';
import { SchedulerArgumentError } from './errors.js';
import { requireLength, requireSupported, scratch } from './sample-checks.js';
import type { NoiseSource, Scheduler, StepResult } from './scheduler.js';
import { SigmaSchedule } from './sigma-schedule.js';
import { SigmaScheduler } from './sigma-scheduler.js';
import { interpolateSigmas } from './sigmas.js';
import { spacedTimesteps } from './timesteps.js';

const f32 = Math.fround;

/**
 * Ancestral Euler sampling (k-diffusion's `sample_euler_ancestral`) with the numerics of diffusers'
 * `EulerAncestralDiscreteScheduler`: each step goes from σ to σ_down deterministically, then adds
 * fresh noise of standard deviation σ_up, where σ_up² = σ_next²(σ² − σ_next²)/σ² and
 * σ_down² = σ_next² − σ_up², so the sample ends with exactly the noise level σ_next.
 *
 * Every step, the last one included, draws one normal number per element from the NoiseSource, so a
 * torch-compatible source replays diffusers' generator stream.
 */
export class EulerAncestralDiscreteScheduler extends SigmaScheduler implements Scheduler {
  readonly name = 'euler-a';
  readonly order = 1;
  /** The settings in force: the config's values, diffusers' Euler-ancestral defaults for keys it lacks. */
  readonly settings: EulerAncestralSettings;
  private noise: Float32Array | undefined;

  constructor(readonly config: SchedulerConfig) {
    const s = resolveSettings(config, EULER_ANCESTRAL_DEFAULTS);
    const scheduler = 'EulerAncestral';
    const predictions = ['epsilon', 'v_prediction'] as const;
    requireSupported(scheduler, 'prediction_type', s.predictionType, predictions, 'diffusers has no sample prediction here.');
    requireSupported(scheduler, 'rescale_betas_zero_snr', s.rescaleBetasZeroSnr, [false], 'zero-terminal-SNR is not implemented.');
    super(new SigmaSchedule(s, 'Euler-ancestral'), s.timestepSpacing);
    this.settings = s;
  }

  setTimesteps(numInferenceSteps: number): void {
    const s = this.settings;
    const timesteps = spacedTimesteps(numInferenceSteps, {
      spacing: s.timestepSpacing,
      numTrainTimesteps: s.numTrainTimesteps,
      stepsOffset: s.stepsOffset,
      roundLinspace: false,
    });
    const sigmas = interpolateSigmas(timesteps, this.sigmaSchedule.trainingSigmas);
    this.sigmaSchedule.reset(timesteps, [...sigmas, 0]);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): StepResult {
    requireLength('modelOutput', modelOutput, sample.length);
    if (noise === undefined) {
      const why = 'Euler-ancestral adds fresh noise every step; pass a NoiseSource (e.g. a seeded Rng) to step().';
      throw new SchedulerArgumentError('noise', why);
    }
    const index = this.sigmaSchedule.current(timestep);
    const sigma = this.sigmas[index]!;
    const sigmaNext = this.sigmas[index + 1]!;
    // σ_down = √(σ_next² − σ_up²) cancels badly; computing σ_up and σ_down in float32 like diffusers
    // keeps the result within float32 rounding of diffusers' rather than of the exact value.
    const sigma2 = f32(sigma * sigma);
    const next2 = f32(sigmaNext * sigmaNext);
    const sigmaUp = f32(Math.sqrt(f32(f32(next2 * f32(sigma2 - next2)) / sigma2)));
    const sigmaDown = f32(Math.sqrt(f32(next2 - f32(sigmaUp * sigmaUp))));
    const dt = sigmaDown - sigma;
    const velocity = this.settings.predictionType === 'v_prediction';
    const vScale = -sigma / Math.sqrt(sigma * sigma + 1);
    const vSampleScale = 1 / (sigma * sigma + 1);

    this.noise = scratch(this.noise, sample.length, (n) => new Float32Array(n));
    const z = noise.fillNormal(this.noise);
    const prevSample = new Float32Array(sample.length);
    const predOriginalSample = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const out = modelOutput[i]!;
      const x0 = velocity ? out * vScale + x * vSampleScale : x - sigma * out;
      const derivative = (x - x0) / sigma;
      prevSample[i] = x + derivative * dt + z[i]! * sigmaUp;
      predOriginalSample[i] = x0;
    }
    this.sigmaSchedule.advance();
    return { prevSample, predOriginalSample };
  }

  /** x_0 + σ_t·ε; `timestep` must be in the current schedule (call setTimesteps first). */
}
