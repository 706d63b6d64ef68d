// The public surface of @perfusion/encoders: re-exports only.
export { EncodersError, TokenizerFileError, AddedTokenError, ModelInterfaceError, ComponentConfigError, EncoderInputError, ImageError } from './errors.js';

// CLIP tokenizer (see src/tokenizer/)
export * from './tokenizer/index.js';

// Model sessions
export { TextEncoder } from './models/text-encoder.js';
export { VaeDecoder } from './models/vae-decoder.js';
export { VaeEncoder } from './models/vae-encoder.js';
export { SD1_SCALING_FACTOR } from './models/scaling-factor.js';

// Images
export { createRgbImage, checkRgbImage, type RgbImage } from './image/rgb-image.js';
export { encodePng, decodePng, writePng, readPng } from './image/png.js';
export { imageFromTensor, tensorFromImages } from './image/tensor-image.js';
export { upscaleNearest } from './image/upscale.js';

// Previews
export type { PreviewDecoder } from './preview/preview-decoder.js';
export {
  LinearLatentPreview,
  SD1_LATENT_RGB_FACTORS,
  type FitPreviewOptions,
  type LatentDecoder,
  type NormalSource,
} from './preview/linear-latent-preview.js';

// Dependency injection (tsyringe)
export { TOKENIZER, TEXT_ENCODER, VAE_DECODER, VAE_ENCODER, PREVIEW_DECODER } from './di/tokens.js';
export { registerEncoders, type RegisterEncodersOptions } from './di/register-encoders.js';
