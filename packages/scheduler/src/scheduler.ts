import type { SchedulerConfig } from './config.js';

/**
 * A source of standard normal noise that continues its own stream on every call. tensor-core's
 * `Rng` and its torch- and numpy-compatible generators all satisfy it, so ancestral samplers draw
 * the same numbers diffusers would with the same generator.
 */
export interface NoiseSource {
  fillNormal(out: Float32Array): Float32Array;
}

/** What one denoising step produced. */
export interface StepResult {
  /** The sample at the next (less noisy) timestep: x_{t-1}. */
  readonly prevSample: Float32Array;
  /** The model's estimate of the clean sample x_0 at this step, where the scheduler computes one. */
  readonly predOriginalSample?: Float32Array;
}

/**
 * The one interface every scheduler implements. Flat Float32Array math only: samples are the
 * latents of any shape laid out contiguously, and the scheduler never needs to know the shape.
 *
 * Usage is diffusers' loop: `setTimesteps(n)`, start from noise × `initNoiseSigma`, then for each
 * `t` of `timesteps`: `model(scaleModelInput(x, t), t)` → `step(output, t, x).prevSample`.
 */
export interface Scheduler {
  /** Registry name (`ddim`, `pndm`, ...). */
  readonly name: string;
  readonly config: Readonly<SchedulerConfig>;
  /** Timesteps of the current schedule, in the order the loop visits them. Empty before setTimesteps. */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial noise (1 for DDPM-style schedulers, σ_max for sigma-based ones). */
  readonly initNoiseSigma: number;
  /** Number of model evaluations the solver combines (1 for first-order schedulers). */
  readonly order: number;
  setTimesteps(numInferenceSteps: number): void;
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: NoiseSource): StepResult;
  /** Forward diffusion q(x_t | x_0), for training: sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·noise (or x0 + σ·noise). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}
