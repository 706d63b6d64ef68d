import type { SchedulerConfig, Scheduler } from '@perfusion/scheduler';
import type { NoiseMode, NoiseSource } from '@perfusion/tensor-core';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { DenoiseStep } from './denoise-step.js';
import type { PipelineModel } from './model-folder.js';
import type { PerfusionRuntime } from './perfusion/perfusion-runtime.js';

/*
 * The pipeline's own injection tokens. The model components use the tokens of the packages that
 * make them: TOKENIZER, TEXT_ENCODER, VAE_DECODER, VAE_ENCODER and PREVIEW_DECODER from
 * @perfusion/encoders, UNET from @perfusion/unet (re-exported by this package's index).
 */

/** Makes a fresh scheduler for one generation from a registry name and the model's scheduler config. */
export type SchedulerFactory = (name: string, config: SchedulerConfig) => Scheduler;

/** Makes the noise stream of one generation: the initial latents, then stochastic schedulers' noise. */
export type NoiseFactory = (mode: NoiseMode, seed: number) => NoiseSource;

/** Something holding native resources (an onnxruntime session) that `Pipeline.release()` frees. */
export interface Releasable {
  release(): Promise<void> | void;
}

/** Scheduler factory; default: @perfusion/scheduler's registry (`createScheduler`). */
export const SCHEDULER_FACTORY: InjectionToken<SchedulerFactory> = Symbol.for('perfusion.pipeline.SCHEDULER_FACTORY');

/** Noise factory; default: @perfusion/tensor-core's `createNoiseSource`. */
export const NOISE_FACTORY: InjectionToken<NoiseFactory> = Symbol.for('perfusion.pipeline.NOISE_FACTORY');

/** The denoising step; default: {@link DefaultDenoiseStep}. */
export const DENOISE_STEP: InjectionToken<DenoiseStep> = Symbol.for('perfusion.pipeline.DENOISE_STEP');

/** What `loadPipeline` read from the model folder (configs and request defaults). */
export const PIPELINE_MODEL: InjectionToken<PipelineModel> = Symbol.for('perfusion.pipeline.PIPELINE_MODEL');

/** The components `Pipeline.release()` frees: the sessions `loadPipeline` created (not user overrides). */
export const PIPELINE_RESOURCES: InjectionToken<readonly Releasable[]> = Symbol.for('perfusion.pipeline.PIPELINE_RESOURCES');

/** The pipeline's own (child) container, exposed as `Pipeline.container`. */
export const PIPELINE_CONTAINER: InjectionToken<DependencyContainer> = Symbol.for('perfusion.pipeline.PIPELINE_CONTAINER');

/**
 * The pipeline's Perfusion runtime (patched UNet description and weights, covariance, concept
 * caches). `loadPipeline` registers it unless the pipeline is loaded with `perfusion: false`.
 */
export const PERFUSION: InjectionToken<PerfusionRuntime> = Symbol.for('perfusion.pipeline.PERFUSION');
