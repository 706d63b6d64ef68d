export { loadPipeline, type PipelineOptions } from './load-pipeline.js';
export { Pipeline, type GenerationHandle, type ImagePipeline } from './pipeline.js';
export type { GenerationListener, GenerationOutcome } from './generation.js';
export type { GenerationRequest, ResolvedGenerationRequest, ConceptRequest, ResolvedConceptRequest } from './request.js';
export { DEFAULT_GUIDANCE_SCALE, DEFAULT_STEPS, MAX_BATCH_SIZE, MAX_CONCEPTS, MAX_STEPS, REQUEST_FIELDS } from './request.js';
export type {
  GenerationEvent,
  StartEvent,
  WarningEvent,
  PromptTruncatedWarning,
  ConceptTokenMissingWarning,
  PreparingEvent,
  StepEvent,
  DoneEvent,
  GenerationTimings,
} from './events.js';
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
  PERFUSION,
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
  PerfusionUnavailableError,
  ConceptConstructionError,
  type GenerationStage,
} from './errors.js';
// Perfusion: concepts at inference (see src/perfusion/).
export type { PerfusionLoadOptions } from './perfusion/load-options.js';
export { PerfusionRuntime, type PerfusionStats, type ConceptCompatibility, type PerfusionTextEncoder } from './perfusion/perfusion-runtime.js';
export { describePerfusionModel, type PerfusionModelDescription } from './perfusion/model-description.js';
export type { CovarianceOptions, CovarianceInfo } from './perfusion/covariance-store.js';
export {
  computeCovariance,
  corpusLabel,
  DEFAULT_COVARIANCE_BATCH,
  type ComputeCovarianceOptions,
  type CovarianceProgress,
  type CaptionCovariance,
  type CaptionTokenizer,
  type CaptionEncoder,
} from './perfusion/compute-covariance.js';
export { covarianceCacheDirs, covarianceFileName, userCovarianceCacheDir, MODEL_CACHE_FOLDER, PERFUSION_CACHE_DIR_ENV } from './perfusion/covariance-cache.js';
export { DEFAULT_FROM_WORDS_TEMPLATE, type ConceptFromWordsOptions } from './perfusion/from-words.js';
export type { ConceptGateReport, ConceptGateRow, ConceptGateToken } from './perfusion/inspect-gates.js';
export { createWorkerPipeline, WorkerPipeline, type WorkerPipelineOptions } from './worker/worker-pipeline.js';
