import { alphasCumprod, computeBetas, loadSchedulerConfig, NOISE_SCHEDULE_DEFAULTS, resolveSettings, type PredictionType, type SchedulerConfig } from '@perfusion/scheduler';
import { TrainingSetupError } from './errors.js';

/**
 * The forward (noising) process the base model was trained with: ᾱ_t for t = 0 … N−1 from the
 * model's `scheduler_config.json`, and what the UNet predicts (ε or v).
 */
export class TrainingNoiseSchedule {
  private constructor(
    readonly alphasCumprod: Float32Array,
    readonly predictionType: 'epsilon' | 'v_prediction',
  ) {}

  static fromConfig(config: SchedulerConfig, source = 'scheduler config'): TrainingNoiseSchedule {
    // A key the file leaves out takes the default every diffusers scheduler class agrees on.
    const settings = resolveSettings(config, NOISE_SCHEDULE_DEFAULTS);
    const prediction: PredictionType = settings.predictionType;
    if (prediction !== 'epsilon' && prediction !== 'v_prediction') {
      throw new TrainingSetupError(`${source}: prediction_type '${prediction}' is not supported for concept training; the UNet must predict 'epsilon' or 'v_prediction'.`);
    }
    return new TrainingNoiseSchedule(alphasCumprod(computeBetas(settings)), prediction);
  }

  static async load(configPath: string): Promise<TrainingNoiseSchedule> {
    return TrainingNoiseSchedule.fromConfig(await loadSchedulerConfig(configPath), configPath);
  }

  /** N, the number of training timesteps. */
  get length(): number {
    return this.alphasCumprod.length;
  }

  /**
   * Writes x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε into `noisy` and the UNet's target into `target` (ε, or
   * v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀), for one sample's values at `offset`.
   */
  noiseSample(x0: Float32Array, noise: Float32Array, t: number, noisy: Float32Array, target: Float32Array, offset: number): void {
    const alphaBar = this.alphasCumprod[t];
    if (alphaBar === undefined) throw new RangeError(`timestep ${t} is outside 0..${this.length - 1}`);
    const a = Math.sqrt(alphaBar);
    const s = Math.sqrt(1 - alphaBar);
    const v = this.predictionType === 'v_prediction';
    for (let i = 0; i < x0.length; i++) {
      const x = x0[i]!;
      const e = noise[i]!;
      noisy[offset + i] = a * x + s * e;
      target[offset + i] = v ? a * e - s * x : e;
    }
  }
}
