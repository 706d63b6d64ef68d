import { CLIP_MAX_LENGTH, schedulerConfigJson, type TextEncoderConfig, type UNetConfig, type VaeConfig } from '@perfusion/fixtures';
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

/**
 * What the toy UNet predicts: v = √ᾱ·ε − √(1−ᾱ)·x₀, not SD 1.5's ε (see {@link toySchedulerConfig}).
 */
export const TOY_PREDICTION_TYPE = 'v_prediction';

/** Values in one latent the UNet denoises (4 × 16 × 16). */
export const TOY_LATENT_SIZE = TOY_UNET.inChannels * TOY_UNET.sampleSize * TOY_UNET.sampleSize;

/** The shape of `count` such latents: [count, 4, 16, 16]. */
export function toyLatentShape(count: number): number[] {
  return [count, TOY_UNET.inChannels, TOY_UNET.sampleSize, TOY_UNET.sampleSize];
}

/**
 * The toy model's scheduler config: DDPM's linear β from 1e-4 to 0.02, v-prediction and trailing
 * timesteps, sampled by DDIM, not SD 1.5's PNDM. DDIM is what the evaluator measures with, and PNDM
 * (what `perfusion generate` and the demo used by default until the eighth session) draws this
 * model's pictures ragged: on the evaluator's held-out one-object captions, with the decoder of step
 * 10,000, PNDM at 20 steps got colour 75.5 % and shape 66.5 % where DDIM at 25 got 99.5 % and 93 %.
 * Why these betas: a toy scene is mostly one flat background, so on a 16×16
 * latent its colour shows through far more noise than a photograph's content does: under SD 1.5's
 * schedule √ᾱ never drops below 0.068, the average of the 256 noisy cells still reveals the
 * background at the last timestep, and a model trained there reads the background off the noise
 * instead of the caption (after 3,400 steps × 32 its loss with the right caption, the empty one or
 * a shuffled one differed by under 5 %, and it drew backgrounds at chance). DDPM's schedule ends at
 * √ᾱ = 0.006, a quarter of its timesteps hide the background, and there only the caption can say
 * what to draw; v-prediction keeps those steps' loss at full weight (ε's is ᾱ times smaller), and
 * trailing spacing starts sampling at the last timestep, the one pure noise matches.
 */
export function toySchedulerConfig(): Record<string, unknown> {
  // SD 1.5's fields stay (skip_prk_steps included), so a request for PNDM samples as SD 1.5's does.
  return {
    ...schedulerConfigJson(),
    _class_name: 'DDIMScheduler',
    beta_schedule: 'linear',
    beta_start: 0.0001,
    beta_end: 0.02,
    prediction_type: TOY_PREDICTION_TYPE,
    timestep_spacing: 'trailing',
    steps_offset: 0,
  };
}
