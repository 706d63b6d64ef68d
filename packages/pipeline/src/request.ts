import type { ConceptFile } from '@perfusion/concept-format';
import type { MultiConceptMode } from '@perfusion/key-lock';
import type { NoiseMode } from '@perfusion/tensor-core';

/**
 * One Perfusion concept in a request: a concept file (its path) or a concept already in memory,
 * with optional gate parameters that override the file's defaults. β and τ may change from one
 * generation to the next at no cost (nothing is reloaded or rebuilt).
 */
export interface ConceptRequest {
  /** The path of a concept file (`.safetensors`), or a {@link ConceptFile} (e.g. from `readConcept` or `conceptFromWords`). */
  readonly concept: string | ConceptFile;
  /** Gate bias β, any finite number (higher weakens the concept). Default: the file's (0.7). */
  readonly beta?: number;
  /** Gate temperature τ, finite and > 0 (smaller: a sharper gate). Default: the file's (0.15). */
  readonly tau?: number;
}

/** A concept as the `start` event reports it: what the file says and the β/τ in use. */
export interface ResolvedConceptRequest {
  readonly token: string;
  readonly supercategory: string;
  /** The file's absolute path; undefined for a concept given as an object. */
  readonly file: string | undefined;
  readonly beta: number;
  readonly tau: number;
}

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
  /**
   * Perfusion concepts to generate with (at most {@link MAX_CONCEPTS}); prompts call each by its
   * token (`a photo of <my-cat> on a beach`). Needs a pipeline loaded with Perfusion (the default).
   * Default: none.
   */
  readonly concepts?: readonly ConceptRequest[];
  /**
   * How several concepts share a projection: `'sum'` (the paper's approximation, default) or
   * `'exact'` (appendix B: the sim terms become a projection on a C⁻¹-orthonormal basis of all i*).
   */
  readonly multiConcept?: MultiConceptMode;
  /**
   * Global key locking: the K projections see the prompt with each concept token replaced by its
   * supercategory word (and are not edited), the V projections the concept prompt. Needs a pipeline
   * loaded with `perfusion: { globalLocking: true }`. Default false (local locking, o*_K = W_K i_super).
   */
  readonly globalLocking?: boolean;
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
  /** The concepts in request order, with the β/τ in use (empty when none). */
  readonly concepts: readonly ResolvedConceptRequest[];
  readonly multiConcept: MultiConceptMode;
  readonly globalLocking: boolean;
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
  'concepts',
  'multiConcept',
  'globalLocking',
];

export const DEFAULT_STEPS = 20;
export const DEFAULT_GUIDANCE_SCALE = 7.5;
export const MAX_STEPS = 1000;
export const MAX_BATCH_SIZE = 8;
/** Most concepts one request may combine. */
export const MAX_CONCEPTS = 16;
