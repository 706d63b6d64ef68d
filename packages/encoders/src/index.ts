// The public surface of @perfusion/encoders: re-exports only.
export { EncodersError, TokenizerFileError, AddedTokenError, ModelInterfaceError, ComponentConfigError, EncoderInputError, ImageError } from './errors.js';

// CLIP tokenizer (see src/tokenizer/)
export * from './tokenizer/index.js';

// Model sessions
export { TextEncoder, type TextEncoderOptions, type TextEncodeOptions } from './models/text-encoder.js';
export { VaeDecoder } from './models/vae-decoder.js';
export { VaeEncoder } from './models/vae-encoder.js';
export { SD1_SCALING_FACTOR, readScalingFactor } from './models/scaling-factor.js';

// Added tokens: the text encoder's token embedding extended in the graph (see src/token-embeddings/)
export { PERFUSION_TOKEN_EMBEDDINGS_INPUT, EXTRA_TOKENS_DIM, TOKEN_EMBEDDING_PATCH_VERSION } from './token-embeddings/input-names.js';
export { findTokenEmbedding, type TokenEmbeddingSite } from './token-embeddings/find-token-embedding.js';
export { extendTokenEmbedding } from './token-embeddings/extend-graph.js';
export {
  extendTextEncoderModel,
  textEncoderCacheDir,
  userTextEncoderCacheDir,
  EXTENSION_MANIFEST,
  type ExtendTextEncoderOptions,
  type ExtendedTextEncoderModel,
} from './token-embeddings/extended-model-cache.js';
export { TokenEmbeddingTable, type TokenEmbeddingTableLocation } from './token-embeddings/token-embedding-table.js';
export { locateTokenEmbeddingTable } from './token-embeddings/locate-table.js';
export {
  TokenEmbeddingNotFoundError,
  TokenEmbeddingAlreadyExtendedError,
  ExtraEmbeddingsError,
  TokenEmbeddingCacheError,
} from './token-embeddings/errors.js';

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
