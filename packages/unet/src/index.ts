// The public surface of @perfusion/unet: re-exports only.
export { UNet, GUIDANCE_BATCHINGS, type GuidanceBatching, type UNetOptions, type UNetFromSessionOptions, type PredictNoiseArgs } from './unet.js';
export { UNET, registerUnet, type RegisterUnetOptions } from './register.js';
export { applyGuidance } from './guidance.js';
export { ExtraFeeds, type RowRange } from './extra-feeds.js';
export {
  inspectUnetIo,
  SAMPLE_INPUT,
  TIMESTEP_INPUT,
  HIDDEN_STATES_INPUT,
  NOISE_OUTPUT,
  type UnetIo,
  type FloatDType,
  type TimestepDType,
  type TimestepLayout,
} from './model-io.js';
export { timestepTensor } from './timestep.js';
export { readUnetConfig, type UnetConfig } from './unet-config.js';
export { resolveUnetModelPath } from './model-path.js';
// Perfusion surgery: find and patch the cross-attention K/V projections (see src/surgery/).
export { findCrossAttentionLayers } from './surgery/find-cross-attention.js';
export type { CrossAttentionLayer, ProjectionNode } from './surgery/layers.js';
export { patchCrossAttention, editedProjectionOutput, type PatchGraphOptions } from './surgery/patch-graph.js';
export {
  CONCEPTS_DIM,
  layerRowInputs,
  perfusionInputNames,
  PERFUSION_COEFFS_INPUT,
  PERFUSION_KEY_STATES_INPUT,
  PERFUSION_ROWS_PREFIX,
  type LayerRowInputs,
  type PerfusionInputNames,
} from './surgery/input-names.js';
export { patchUnetForPerfusion, PATCH_MANIFEST, SOURCE_WEIGHTS_LINK, type PatchedUnet, type PatchUnetOptions } from './surgery/patch-unet.js';
export { PATCH_FORMAT_VERSION, sourceFingerprint, externalFileStats, type ExternalFileStat, type FingerprintSource } from './surgery/source-fingerprint.js';
export { PERFUSION_CACHE_DIR_ENV, SOURCE_CACHE_FOLDER, sourceCacheDir, userPatchCacheDir } from './surgery/cache-dir.js';
export { readProjectionWeights, type LayerWeights, type ProjectionWeight } from './surgery/projection-weights.js';
export { baseModelFingerprint, BASE_FINGERPRINT_VERSION } from './surgery/base-model-fingerprint.js';
export { perfusionFeeds, noConceptFeeds, type LayerRows, type PerfusionFeedArgs, type PerfusionModelInfo } from './surgery/feeds.js';
export {
  NoCrossAttentionError,
  CrossAttentionStructureError,
  AlreadyPatchedError,
  PatchCacheError,
  PerfusionFeedsError,
} from './surgery/errors.js';
export {
  UnetError,
  UnetModelInputsError,
  UnetConfigError,
  UnetModelNotFoundError,
  UnetModelShapeError,
  SampleShapeError,
  HiddenStatesShapeError,
  HiddenStatesWidthError,
  BatchMismatchError,
  ExtraFeedError,
  UnetArgumentError,
  UnetReleasedError,
  type DeclaredShape,
  type InputDescription,
} from './errors.js';
