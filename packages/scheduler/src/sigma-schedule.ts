import { alphasCumprod } from './alphas.js';
import { computeBetas, type BetaSettings } from './betas.js';
import type { TimestepSpacing } from './config.js';
import { SchedulerStateError } from './errors.js';
import { requireLength } from './sample-checks.js';
import { logSigmas, trainingSigmas } from './sigmas.js';

const f32 = Math.fround;

/**
 * The state sigma-parameterised schedulers (Euler, Euler-ancestral) share: the training σ table,
 * the current schedule of timesteps with one σ each (plus a final σ), and the position in it.
 *
 * Like diffusers, the position is found from the first timestep the loop passes (so a loop may start
 * part-way down the schedule, as img2img does) and then advances by one per step.
 */
export class SigmaSchedule {
  readonly alphasCumprod: Float32Array;
  /** σ_t for every training timestep, float32. */
  readonly trainingSigmas: Float32Array;
  /** log σ_t, float32. */
  readonly logTrainingSigmas: Float32Array;
  private schedule: readonly number[] = Object.freeze([]);
  private sigmaValues: Float32Array;
  private position: number | undefined;

  constructor(
    settings: BetaSettings,
    private readonly schedulerName: string,
  ) {
    this.alphasCumprod = alphasCumprod(computeBetas(settings));
    this.trainingSigmas = trainingSigmas(this.alphasCumprod);
    this.logTrainingSigmas = logSigmas(this.trainingSigmas);
    // Before setTimesteps diffusers holds every training σ, noisiest first, then 0.
    this.sigmaValues = Float32Array.from([...this.trainingSigmas].reverse().concat(0));
  }

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  /** σ for each timestep of the schedule, then the final σ (0, or σ_min): one more than `timesteps`. */
  get sigmas(): Float32Array {
    return this.sigmaValues;
  }

  /** Installs a new schedule (float32 values are stored) and forgets the position. */
  reset(timesteps: readonly number[], sigmas: readonly number[]): void {
    this.schedule = Object.freeze(timesteps.map(f32));
    this.sigmaValues = Float32Array.from(sigmas);
    this.position = undefined;
  }

  /**
   * diffusers' init_noise_sigma: σ_max for `linspace`/`trailing` spacing, √(σ_max² + 1) for `leading`
   * (whose first timestep is below N−1), in float32.
   */
  initNoiseSigma(spacing: TimestepSpacing): number {
    let max = 0;
    for (const s of this.sigmaValues) max = Math.max(max, s);
    return spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
  }

  /** Where `timestep` is in the schedule (the second occurrence if it appears twice, as diffusers). */
  indexOf(timestep: number): number {
    const first = this.schedule.indexOf(timestep);
    if (first < 0) {
      const hint = this.schedule.length === 0 ? 'call setTimesteps(numInferenceSteps) first' : 'pass one of scheduler.timesteps';
      throw new SchedulerStateError(`${this.schedulerName}: timestep ${timestep} is not in the current schedule; ${hint}.`);
    }
    const second = this.schedule.indexOf(timestep, first + 1);
    return second < 0 ? first : second;
  }

  /** The current position, found from `timestep` on the first call after `reset`. */
  current(timestep: number): number {
    this.position ??= this.indexOf(timestep);
    if (this.position >= this.schedule.length) {
      throw new SchedulerStateError(
        `${this.schedulerName}: all ${this.schedule.length} steps of the schedule are done; call setTimesteps() to start again.`,
      );
    }
    return this.position;
  }

  advance(): void {
    this.position = (this.position ?? 0) + 1;
  }

  /** x_0 / √(σ² + 1): the model sees inputs of unit variance, as it did in training. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmaValues[this.current(timestep)]!;
    const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    return sample.map((x) => x / scale);
  }

  /** x_0 + σ_t·ε with σ_t of `timestep` in the current schedule. */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    requireLength('noise', noise, originalSamples.length);
    const sigma = this.sigmaValues[this.indexOf(timestep)]!;
    return originalSamples.map((x, i) => x + noise[i]! * sigma);
  }
}
