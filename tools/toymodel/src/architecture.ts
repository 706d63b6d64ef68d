import { CLIP_MAX_LENGTH, type TextEncoderConfig, type UNetConfig, type VaeConfig } from '@perfusion/fixtures';
import { TOY_VOCAB_SIZE } from './tokenizer/toy-tokenizer.js';

/** Pixels a side of the images the toy model makes (the toy world's scenes). */
export const TOY_IMAGE_SIZE = 64;

/**
 * CLIP text transformer at toy width: 77 tokens, causal mask, two layers. Its embedding table has
 * exactly the toy tokenizer's rows, as a real export has.
 */
export const TOY_TEXT_ENCODER: TextEncoderConfig = {
  vocabSize: TOY_VOCAB_SIZE,
  hiddenSize: 64,
  intermediateSize: 256,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  maxPositionEmbeddings: CLIP_MAX_LENGTH,
  layerNormEps: 1e-5,
  hiddenAct: 'quick_gelu',
};

/**
 * SD's autoencoder with three levels: 64×64 pixels ↔ 16×16×4 latents (scale factor 4, not SD's 8:
 * a 12-pixel object must still span a few latent cells). The scaling factor is measured on the
 * trained encoder (1 / std of its latents) and written to the config at export.
 */
export const TOY_VAE: VaeConfig = {
  inChannels: 3,
  outChannels: 3,
  latentChannels: 4,
  blockOutChannels: [16, 32, 64],
  layersPerBlock: 1,
  normNumGroups: 8,
  scalingFactor: 1,
  sampleSize: TOY_IMAGE_SIZE,
};

/**
 * SD-1.x UNet at toy width over 16×16 latents: cross-attention at 16×16 and 8×8 (down and up) and
 * in the 4×4 mid block, about 3.2 M parameters.
 */
export const TOY_UNET: UNetConfig = {
  sampleSize: TOY_IMAGE_SIZE / 4,
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [32, 64, 128],
  downBlockTypes: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  upBlockTypes: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  layersPerBlock: 1,
  crossAttentionDim: 64,
  attentionHeadDim: 4,
  normNumGroups: 8,
  normEps: 1e-5,
};
