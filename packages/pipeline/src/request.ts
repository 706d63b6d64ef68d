import type { NoiseMode } from '@perfusion/tensor-core';

/** What to generate. Only `prompt` is required; every other field has a default (see {@link ResolvedGenerationRequest}). */
export interface GenerationRequest {
  readonly prompt: string;
  /** Text to steer away from (classifier-free guidance's unconditional prompt). Default: the empty string, as diffusers. */
  readonly negativePrompt?: string;
  /** Number of inference steps given to the scheduler (1..1000). Default 20. */
  readonly steps?: number;
  /** Classifier-free guidance scale, finite and ≥ 0; at most 1 turns guidance off (one UNet row per image). Default 7.5. */
  readonly guidanceScale?: number;
  /** Image width in pixels, a positive multiple of 8. Default: the UNet config's `sample_size` × 8. */
  readonly width?: number;
  /** Image height in pixels, a positive multiple of 8. Default: the UNet config's `sample_size` × 8. */
  readonly height?: number;
  /** Seed of the noise source. Default: a random integer in [0, 2^32), reported in the `start` and `done` events. */
  readonly seed?: number;
  /** Scheduler registry name (`pndm`, `ddim`, `euler`, ...). Default: the one `scheduler_config.json`'s `_class_name` names. */
  readonly scheduler?: string;
  /** Where the noise comes from: `default` (this project's generator), `torch` (torch's CPU generator) or `numpy` (NumPy's RandomState). Default `default`. */
  readonly noise?: NoiseMode;
  /** Images per prompt (1..8), generated together in one batch. Default 1. */
  readonly batchSize?: number;
  /** Attach a cheap preview image per batch element to every `step` event. Default false. */
  readonly previews?: boolean;
  /** Attach a copy of the latents after every step to `step` events. Default false. */
  readonly returnLatents?: boolean;
}

/** A request with every default filled in, as the `start` event reports it. */
export interface ResolvedGenerationRequest {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly steps: number;
  readonly guidanceScale: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly scheduler: string;
  readonly noise: NoiseMode;
  readonly batchSize: number;
  readonly previews: boolean;
  readonly returnLatents: boolean;
}

/** The request fields, in the order validation checks them. */
export const REQUEST_FIELDS: readonly (keyof GenerationRequest)[] = [
  'prompt',
  'negativePrompt',
  'steps',
  'guidanceScale',
  'width',
  'height',
  'seed',
  'scheduler',
  'noise',
  'batchSize',
  'previews',
  'returnLatents',
];

export const DEFAULT_STEPS = 20;
export const DEFAULT_GUIDANCE_SCALE = 7.5;
export const MAX_STEPS = 1000;
export const MAX_BATCH_SIZE = 8;
