import { TRAINING_GATE, type GateParameters } from '@perfusion/key-lock';
import { DEFAULT_PROMPT_TEMPLATES } from './prompt-templates.js';
import { TrainingSetupError } from './errors.js';

/**
 * What happens to the concept's keys: `'locked'` (Perfusion) keeps every layer's key at W_K·i_super;
 * `'trained'` (the paper's ablation) trains the vector the keys are computed from, starting at i_super.
 */
export type KeysMode = 'locked' | 'trained';
export const KEYS_MODES: readonly KeysMode[] = ['locked', 'trained'];

/** What to train: the images, the token and supercategory, and the optimisation settings. */
export interface TrainingRequest {
  /** A folder of PNG/JPEG photos of the concept (optional `<name>.mask.png` beside each). */
  readonly images: string;
  /** The new token prompts will use, e.g. `'<my-cat>'`; it must not be in the vocabulary. */
  readonly token: string;
  /** The class word(s) the key locks to, e.g. `'cat'`: each word must be one token of the vocabulary. */
  readonly supercategory: string;
  /** Optimiser steps. Default 400. */
  readonly steps?: number;
  /** Samples per step (effective batch; gradients are accumulated). Default 16. */
  readonly batchSize?: number;
  /** Samples per UNet call (memory against speed). Default 1. Must divide `batchSize`. */
  readonly microBatchSize?: number;
  /** AdamW learning rate of the value targets o*_V. Default 0.03. */
  readonly valueLearningRate?: number;
  /** AdamW learning rate of the token's word embedding. Default 0.006. */
  readonly embeddingLearningRate?: number;
  /**
   * `'trained'`: the ablation of the paper's key locking — the encoding the keys are computed from
   * (stored as the concept's `super_encoding`, starting at i_super) is trained too, with the
   * embedding's learning rate and weight decay. Default `'locked'`.
   */
  readonly keys?: KeysMode;
  /** AdamW decoupled weight decay. Default 0.01 (torch's). */
  readonly weightDecay?: number;
  /** Square training resolution in pixels, a multiple of 8. Default: the model's (`sample_size` × 8). */
  readonly resolution?: number;
  /** Seed of every random choice (images, flips, prompts, timesteps, noise). Default 0. */
  readonly seed?: number;
  /** Random horizontal flips. Default true. */
  readonly flips?: boolean;
  /** Prompt templates with `{}` for the token. Default {@link DEFAULT_PROMPT_TEMPLATES}. */
  readonly templates?: readonly string[];
  /** The gate used while training. Default β 0.75, τ 0.1. */
  readonly gate?: GateParameters;
  /** Decay of i*'s moving average. Default 0.99. */
  readonly emaDecay?: number;
  /** Checkpoint file, written atomically every `checkpointEvery` steps and at the end. Default: none. */
  readonly checkpoint?: string;
  /** Steps between checkpoints. Default 50. */
  readonly checkpointEvery?: number;
  /** A checkpoint to continue from (same settings; `steps` may be larger). */
  readonly resume?: string;
  /** Steps between sample images (0: none). Default 0. */
  readonly sampleEvery?: number;
  /** Prompt of the samples, `{}` for the token. Default 'a photo of a {}'. */
  readonly samplePrompt?: string;
  /** Denoising steps of each sample. Default 20. */
  readonly sampleSteps?: number;
  /** Write the trained concept here (atomically) when done. */
  readonly out?: string;
}

/** A request with every default filled in. */
export type ResolvedTrainingRequest = Required<Omit<TrainingRequest, 'checkpoint' | 'resume' | 'out'>> & Pick<TrainingRequest, 'checkpoint' | 'resume' | 'out'>;

/** Fills the defaults and checks every number. @throws TrainingSetupError naming the field and the accepted range. */
export function resolveTrainingRequest(request: TrainingRequest, modelResolution: number): ResolvedTrainingRequest {
  const r: ResolvedTrainingRequest = {
    images: request.images,
    token: request.token,
    supercategory: request.supercategory,
    steps: request.steps ?? 400,
    batchSize: request.batchSize ?? 16,
    microBatchSize: request.microBatchSize ?? 1,
    valueLearningRate: request.valueLearningRate ?? 0.03,
    embeddingLearningRate: request.embeddingLearningRate ?? 0.006,
    keys: request.keys ?? 'locked',
    weightDecay: request.weightDecay ?? 0.01,
    resolution: request.resolution ?? modelResolution,
    seed: request.seed ?? 0,
    flips: request.flips ?? true,
    templates: request.templates ?? DEFAULT_PROMPT_TEMPLATES,
    gate: request.gate ?? TRAINING_GATE,
    emaDecay: request.emaDecay ?? 0.99,
    checkpointEvery: request.checkpointEvery ?? 50,
    sampleEvery: request.sampleEvery ?? 0,
    samplePrompt: request.samplePrompt ?? 'a photo of a {}',
    sampleSteps: request.sampleSteps ?? 20,
    ...(request.checkpoint !== undefined && { checkpoint: request.checkpoint }),
    ...(request.resume !== undefined && { resume: request.resume }),
    ...(request.out !== undefined && { out: request.out }),
  };
  for (const key of ['images', 'token', 'supercategory'] as const) {
    if (typeof r[key] !== 'string' || r[key].trim() === '') fail(key, r[key], 'a non-empty string');
  }
  integer('steps', r.steps, 1);
  integer('batchSize', r.batchSize, 1);
  integer('microBatchSize', r.microBatchSize, 1);
  if (r.batchSize % r.microBatchSize !== 0) fail('microBatchSize', r.microBatchSize, `a divisor of batchSize (${r.batchSize})`);
  positive('valueLearningRate', r.valueLearningRate);
  positive('embeddingLearningRate', r.embeddingLearningRate);
  if (!KEYS_MODES.includes(r.keys)) fail('keys', r.keys, `one of ${KEYS_MODES.map((m) => `'${m}'`).join(', ')}`);
  if (!(Number.isFinite(r.weightDecay) && r.weightDecay >= 0)) fail('weightDecay', r.weightDecay, 'a finite number ≥ 0');
  integer('resolution', r.resolution, 8);
  if (r.resolution % 8 !== 0) fail('resolution', r.resolution, 'a multiple of 8 (the VAE downsamples by 8)');
  if (!Number.isSafeInteger(r.seed)) fail('seed', r.seed, 'a safe integer');
  if (!(Number.isFinite(r.gate.beta) && Number.isFinite(r.gate.tau) && r.gate.tau > 0)) fail('gate', r.gate, 'finite β and τ > 0');
  if (!(r.emaDecay >= 0 && r.emaDecay < 1)) fail('emaDecay', r.emaDecay, 'a number in [0, 1)');
  integer('checkpointEvery', r.checkpointEvery, 1);
  integer('sampleEvery', r.sampleEvery, 0);
  integer('sampleSteps', r.sampleSteps, 1);
  if (r.templates.length === 0) fail('templates', r.templates, 'at least one template');
  for (const template of [...r.templates, r.samplePrompt]) {
    if (template.split('{}').length !== 2) fail('templates', template, "templates with '{}' exactly once, where the token goes");
  }
  return r;
}

function integer(field: string, value: number, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min)) fail(field, value, `an integer ≥ ${min}`);
}

function positive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) fail(field, value, 'a finite number > 0');
}

function fail(field: string, value: unknown, expected: string): never {
  throw new TrainingSetupError(`Training request: '${field}' is ${JSON.stringify(value)}; it must be ${expected}.`);
}
