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
