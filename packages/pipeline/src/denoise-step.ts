import type { Scheduler } from '@perfusion/scheduler';
import { Tensor, type NoiseSource } from '@perfusion/tensor-core';
import type { UNet } from '@perfusion/unet';

/** What the denoising step needs from a UNet: one noise prediction per call. */
export interface NoisePredictor {
  predictNoise(args: Parameters<UNet['predictNoise']>[0]): Promise<Tensor<'float32'>>;
}

/** The inputs of one denoising step. */
export interface DenoiseStepArgs {
  /** The pipeline's UNet (seen through a wrapper that times its calls for `done.timings.unetMs`). */
  readonly unet: NoisePredictor;
  /** This generation's scheduler, already given its timesteps. */
  readonly scheduler: Scheduler;
  /** The current latents x_t, [batch, channels, height/8, width/8] flattened. Do not modify. */
  readonly latents: Float32Array;
  /** The shape of `latents`: [batch, channels, height/8, width/8]. */
  readonly shape: readonly [number, number, number, number];
  /** The timestep to evaluate, `scheduler.timesteps[index]`. */
  readonly timestep: number;
  /**
   * Text conditioning for the UNet: [2·batch, 77, D] with the unconditional (negative prompt) rows
   * first when `guidanceScale` > 1, else [batch, 77, D].
   */
  readonly embeddings: Tensor<'float32'>;
  readonly guidanceScale: number;
  /** 0-based step index and the number of steps. */
  readonly index: number;
  readonly total: number;
  /** The generation's noise stream (after the initial latents), for stochastic schedulers. */
  readonly noise: NoiseSource;
}

/**
 * One denoising step: from x_t to x_{t−1}. The pipeline calls `step` once per scheduler timestep
 * and uses the returned array as the next latents (it must not be `args.latents` modified in place,
 * and nothing may modify it afterwards). Register another implementation under `DENOISE_STEP` to
 * log, inspect or replace the step.
 */
export interface DenoiseStep {
  step(args: DenoiseStepArgs): Promise<Float32Array>;
}

/**
 * diffusers' loop body: `scheduler.scaleModelInput` → `unet.predictNoise` (classifier-free guidance
 * applied by the UNet) → `scheduler.step(...).prevSample`.
 */
export class DefaultDenoiseStep implements DenoiseStep {
  async step(args: DenoiseStepArgs): Promise<Float32Array> {
    const { unet, scheduler, latents, shape, timestep, embeddings, guidanceScale, noise } = args;
    const sample = new Tensor('float32', scheduler.scaleModelInput(latents, timestep), shape);
    const prediction = await unet.predictNoise({ sample, timestep, encoderHiddenStates: embeddings, guidanceScale });
    return scheduler.step(prediction.data, timestep, latents, noise).prevSample;
  }
}
