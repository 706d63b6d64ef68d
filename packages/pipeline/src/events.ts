import type { RgbImage } from '@perfusion/encoders';
import type { ResolvedGenerationRequest } from './request.js';

/** First event of every generation: the request with its defaults filled in, after validation. */
export interface StartEvent {
  readonly type: 'start';
  readonly request: ResolvedGenerationRequest;
  readonly seed: number;
  /** How many `step` events follow: the scheduler's number of timesteps (PNDM: steps + 1, as diffusers runs it). */
  readonly totalSteps: number;
}

/** Something in the request may not do what was meant; the generation goes on. Tell the kinds apart by `code`. */
export type WarningEvent = PromptTruncatedWarning | ConceptTokenMissingWarning;

/** The prompt (or negative prompt, as `message` says) was longer than the text encoder's 77 tokens; the rest was cut. */
export interface PromptTruncatedWarning {
  readonly type: 'warning';
  readonly code: 'prompt-truncated';
  readonly message: string;
  /** The text that was cut off. */
  readonly droppedText: string;
}

/**
 * The prompt does not mention a concept's token, so the concept only acts through the gates of the
 * other words (usually barely). Write its token in the prompt: `a photo of <my-cat> on a beach`.
 */
export interface ConceptTokenMissingWarning {
  readonly type: 'warning';
  readonly code: 'concept-token-missing';
  readonly message: string;
  /** The concept's token. */
  readonly token: string;
  /** Its index in `request.concepts`. */
  readonly conceptIndex: number;
}

/**
 * Work a generation does once before its first step, with progress: `stage: 'covariance'` is the
 * base model's text-encoding covariance, computed the first time a model is used with concepts
 * (then cached on disk). `done` counts captions encoded out of `total`; the events of one stage
 * start at `done: 0` and end at `done === total`, with `done` never decreasing.
 */
export interface PreparingEvent {
  readonly type: 'preparing';
  readonly stage: 'covariance';
  readonly done: number;
  readonly total: number;
}

/** One denoising step (one UNet evaluation) finished. */
export interface StepEvent {
  readonly type: 'step';
  /** 0-based; the events of one generation have index 0, 1, ..., total − 1 in order. */
  readonly index: number;
  readonly total: number;
  /** The scheduler timestep this step evaluated the UNet at. */
  readonly timestep: number;
  /** One cheap preview per batch element (only when the request asked for `previews`). */
  readonly preview?: RgbImage[];
  /** The latents after this step, [batch, channels, height/8, width/8] flattened (only with `returnLatents`). */
  readonly latents?: Float32Array;
}

/** Last event of a successful generation. */
export interface DoneEvent {
  readonly type: 'done';
  /** One image per batch element, `request.width` × `request.height`. */
  readonly images: RgbImage[];
  readonly seed: number;
  readonly timings: GenerationTimings;
}

/** Milliseconds spent in each part of a generation (wall clock of this thread). */
export interface GenerationTimings {
  /** From the `start` event to the `done` event. */
  readonly totalMs: number;
  readonly textEncoderMs: number;
  /**
   * Perfusion's per-generation work: concept token embeddings, gates and coefficients (and, the
   * first time, the concepts' directions and rows); 0 without concepts. The covariance, when it is
   * computed during the generation, is not counted here (see `preparing` events).
   */
  readonly conceptsMs: number;
  /** Inside the UNet's `predictNoise` (onnxruntime plus input/output handling). */
  readonly unetMs: number;
  /** The rest of the denoising steps: the scheduler's `scaleModelInput` and `step`, and any custom step logic. */
  readonly schedulerMs: number;
  readonly vaeMs: number;
}

/**
 * Everything `generate()` emits, as a union tagged by `type`: `switch (event.type)` is checked for
 * exhaustiveness by the compiler. A generation emits `start`, then any `warning`s, then any
 * `preparing` events, then exactly `totalSteps` `step` events with index 0..totalSteps − 1, then
 * one `done`, and completes — or it errors (before `start` when the request is invalid).
 */
export type GenerationEvent = StartEvent | WarningEvent | PreparingEvent | StepEvent | DoneEvent;
