export { loadPipeline, type PipelineOptions } from './load-pipeline.js';
export { Pipeline, type GenerationHandle, type ImagePipeline } from './pipeline.js';
export type { GenerationListener, GenerationOutcome } from './generation.js';
export type { GenerationRequest, ResolvedGenerationRequest } from './request.js';
export { DEFAULT_GUIDANCE_SCALE, DEFAULT_STEPS, MAX_BATCH_SIZE, MAX_STEPS, REQUEST_FIELDS } from './request.js';
export type { GenerationEvent, StartEvent, WarningEvent, StepEvent, DoneEvent, GenerationTimings } from './events.js';
export { DefaultDenoiseStep, type DenoiseStep, type DenoiseStepArgs, type NoisePredictor } from './denoise-step.js';
export { validateRequest, type ValidatedRequest } from './validate-request.js';
export { readModelFolder, REQUIRED_MODEL_FILES, type PipelineModel } from './model-folder.js';
export {
  SCHEDULER_FACTORY,
  NOISE_FACTORY,
  DENOISE_STEP,
  PIPELINE_MODEL,
  PIPELINE_RESOURCES,
  PIPELINE_CONTAINER,
  type SchedulerFactory,
  type NoiseFactory,
  type Releasable,
} from './tokens.js';
export { TOKENIZER, TEXT_ENCODER, VAE_DECODER, VAE_ENCODER, PREVIEW_DECODER } from '@perfusion/encoders';
export { UNET } from '@perfusion/unet';
export {
  PipelineError,
  ModelFolderError,
  InvalidRequestError,
  GenerationFailedError,
  PipelineReleasedError,
  WorkerPipelineError,
  type GenerationStage,
} from './errors.js';
export { createWorkerPipeline, WorkerPipeline, type WorkerPipelineOptions } from './worker/worker-pipeline.js';
