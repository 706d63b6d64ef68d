// The public surface of @perfusion/trainer: re-exports only.
export { TrainerError } from './errors.js';
// Training
export { ConceptTrainer, type ConceptTrainerOptions } from './training/trainer.js';
export { resolveTrainingRequest, KEYS_MODES, type TrainingRequest, type ResolvedTrainingRequest, type KeysMode } from './training/request.js';
export type {
  TrainingEvent,
  TrainingStartEvent,
  TrainingPreparingEvent,
  TrainingStepEvent,
  TrainingCheckpointEvent,
  TrainingSampleEvent,
  TrainingDoneEvent,
} from './training/events.js';
export { DEFAULT_PROMPT_TEMPLATES, fillTemplate } from './training/prompt-templates.js';
export { setUpConcept, type ConceptSetup, type ConceptTokenizerSource } from './training/concept-setup.js';
export { TrainingSetupError, CheckpointError, TrainingFailedError } from './training/errors.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint } from './training/checkpoint.js';
export type { TrainingState } from './training/training-state.js';
export { TrainingNoiseSchedule } from './training/noise-schedule.js';
export { addGateGradient } from './training/gate-gradient.js';
// Optimiser
export { AdamW, ADAMW_DEFAULTS, type AdamWSettings, type ParameterGroup, type AdamMoments } from './optim/adamw.js';
// Training graphs (onnx-graph autodiff applied to the patched UNet and the text encoder)
export { unetTrainingGraph, UNET_TRAINING_GRAPH_VERSION, type UnetTrainingGraph } from './graphs/unet-training-graph.js';
export { textEncoderVjpGraph, TEXT_ENCODER_VJP_VERSION, type TextEncoderVjpGraph } from './graphs/text-encoder-vjp.js';
export { TRAINING_TARGET_INPUT, TRAINING_WEIGHTS_INPUT, TRAINING_LOSS_OUTPUT, UPSTREAM_GRADIENT_INPUT } from './graphs/names.js';
export { TrainingGraphError } from './graphs/errors.js';
// Training data
export {
  TrainingDataError,
  TrainingFolderError,
  NoTrainingImagesError,
  OrphanMaskError,
  AmbiguousMaskError,
  UnreadableImageError,
  ImageTooLargeError,
  MaskSizeError,
  TrainingDataOptionError,
} from './data/errors.js';
export { IMAGE_EXTENSIONS, MASK_SUFFIXES } from './data/file-kinds.js';
export { listTrainingImages, type TrainingFolder, type TrainingImageFile } from './data/list-training-images.js';
export { readTrainingImage, decodeTrainingImage, DEFAULT_MAX_MEGAPIXELS, type ReadImageOptions } from './data/read-training-image.js';
export { prepareImage, flipHorizontal } from './data/prepare-image.js';
export { prepareMask, downsampleMask, flipMaskHorizontal } from './data/mask.js';
export { loadTrainingImages, type LoadTrainingImagesOptions, type TrainingImage, type TrainingImageSet, type TrainingVariant } from './data/load-training-images.js';
export { loadGradientModel, loadUnetTraining, type GradientModelOptions } from './training/gradient-model.js';
export { microBatchGradients, type GradientModel, type MicroBatch, type MicroBatchResult, type ConceptParameters } from './training/concept-gradients.js';
