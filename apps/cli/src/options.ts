import { SCHEDULER_NAMES } from '@perfusion/scheduler';

/** Noise generators a generation can draw its initial latents (and ancestral noise) from. */
export const NOISE_MODES = ['default', 'torch', 'numpy'] as const;
export type NoiseMode = (typeof NOISE_MODES)[number];

/** One option of a command: what `parseArgs` needs plus what `--help` prints. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder of the value in the help (`N`, `DIR`, ...); string options only. */
  readonly value?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
  readonly description: string;
}

/** How several concepts' sim terms combine (key-lock's MultiConceptMode). */
export const MULTI_CONCEPT_MODES = ['sum', 'exact'] as const;
export type MultiConceptMode = (typeof MULTI_CONCEPT_MODES)[number];

/** Element types a concept file can store. */
export const CONCEPT_DTYPES = ['float32', 'float16'] as const;
export type ConceptDTypeName = (typeof CONCEPT_DTYPES)[number];

const MODEL_OPTION: OptionSpec = {
  name: 'model',
  type: 'string',
  short: 'm',
  value: 'DIR',
  description:
    'Model folder in the diffusers/optimum ONNX layout (model_index.json, unet/, text_encoder/, vae_decoder/, ' +
    'tokenizer/, scheduler/). Default: the embedded default model, the toy-world model of @perfusion/toymodel ' +
    '(64x64 pictures of coloured shapes from prompts such as "a large red star in the center, blue background").',
};

const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', short: 'h', description: 'Show this help.' };

/** The options of `perfusion generate`, in the order `--help` lists them. */
export const GENERATE_OPTIONS: readonly OptionSpec[] = [
  MODEL_OPTION,
  { name: 'out', type: 'string', short: 'o', value: 'FILE.png', description: 'Where to write the image (default perfusion-<seed>.png). With --batch N > 1: FILE-0.png, FILE-1.png, ...' },
  { name: 'steps', type: 'string', short: 's', value: 'N', description: 'Denoising steps (default 20).' },
  { name: 'scheduler', type: 'string', value: 'NAME', description: `One of ${SCHEDULER_NAMES.join(', ')} (default: the model's scheduler_config.json).` },
  { name: 'seed', type: 'string', value: 'N', description: 'Non-negative integer; the same seed, model and options give the same image (default: random, printed).' },
  { name: 'guidance', type: 'string', value: 'G', description: 'Classifier-free guidance scale, a number >= 0; <= 1 turns guidance off (default 7.5; 4 with the embedded default model).' },
  { name: 'width', type: 'string', value: 'W', description: "Image width in pixels, a multiple of 8 (default: the model's sample size x 8)." },
  { name: 'height', type: 'string', value: 'H', description: "Image height in pixels, a multiple of 8 (default: the model's sample size x 8)." },
  { name: 'negative', type: 'string', value: 'TEXT', description: 'Negative prompt: what the image should not show.' },
  {
    name: 'noise',
    type: 'string',
    value: 'MODE',
    description: "Random generator of the noise: default | torch (as diffusers' PyTorch pipelines) | numpy (as diffusers' ONNX pipeline).",
  },
  { name: 'batch', type: 'string', value: 'N', description: 'Images to generate from the prompt in one batch (default 1).' },
  { name: 'previews', type: 'string', value: 'DIR', description: 'Write a cheap preview of every step into DIR: step-000.png, step-001.png, ... (batch > 1: step-000-0.png, ...).' },
  {
    name: 'concept',
    type: 'string',
    short: 'c',
    value: 'FILE[:BETA[:TAU]]',
    multiple: true,
    description:
      'Use a Perfusion concept file (.safetensors; made by training or by perfusion concept from-words) and write its token in the prompt. ' +
      'BETA (the gate\'s bias, any number; lower lets the concept act on more tokens) and TAU (its temperature, > 0; higher makes the gate softer) ' +
      'override the defaults stored in the file; FILE::TAU sets only TAU. Repeat for several concepts.',
  },
  {
    name: 'multi-concept',
    type: 'string',
    value: 'MODE',
    description: "How several concepts combine: sum (the paper's approximation, default) | exact (appendix B: the concepts' inputs removed exactly).",
  },
  {
    name: 'global-locking',
    type: 'boolean',
    description: "Global key locking: every cross-attention key sees the prompt with each concept token replaced by its supercategory word (the concepts then edit only the values).",
  },
  HELP_OPTION,
];

/** The options of `perfusion inspect`. */
export const INSPECT_OPTIONS: readonly OptionSpec[] = [
  { ...MODEL_OPTION, description: 'Check compatibility with this model folder. Default: the embedded default model.' },
  { name: 'json', type: 'boolean', description: 'Print everything as one JSON object on stdout instead of text.' },
  HELP_OPTION,
];

/** The options of `perfusion covariance`. */
export const COVARIANCE_OPTIONS: readonly OptionSpec[] = [
  MODEL_OPTION,
  { name: 'recompute', type: 'boolean', description: 'Compute the covariance again even when a cached one exists (and replace it).' },
  HELP_OPTION,
];

/** The options of `perfusion concept from-words`. */
export const FROM_WORDS_OPTIONS: readonly OptionSpec[] = [
  { name: 'token', type: 'string', value: 'TOKEN', description: 'The new word that calls the concept in prompts, e.g. "<my-cat>" (required; one word, no spaces).' },
  { name: 'supercategory', type: 'string', value: 'WORD', description: 'The concept\'s supercategory word, e.g. "cat": its key locks the concept\'s keys (required).' },
  { name: 'words', type: 'string', value: 'TEXT', description: 'The existing phrase the concept stands for, e.g. "tabby cat": its encoding becomes i* and its values the value targets (required).' },
  { name: 'template', type: 'string', value: 'TEXT', description: 'The prompt the token, the words and the supercategory are encoded in, with {} where they go (default "a photo of a {}").' },
  MODEL_OPTION,
  { name: 'out', type: 'string', short: 'o', value: 'FILE', description: 'Where to write the concept (default: the token without <>, e.g. my-cat.safetensors). Written atomically.' },
  { name: 'dtype', type: 'string', value: 'TYPE', description: 'Element type of the stored tensors: float32 (default) | float16 (half the size).' },
  HELP_OPTION,
];

/**
 * The trainer's defaults for the options `perfusion train` passes on only when given (the trainer
 * applies its own otherwise; a test checks these equal `resolveTrainingRequest`'s), plus the
 * command's own defaults for samples. Kept here so that `--help` and the argument checks need not
 * load the trainer.
 */
export const TRAIN_DEFAULTS = {
  steps: 400,
  batch: 16,
  microBatch: 1,
  lr: 0.03,
  embeddingLr: 0.006,
  seed: 0,
  checkpointEvery: 50,
  /** `--sample-every` when `--samples` is given without it (the command's choice, not the trainer's). */
  sampleEvery: 50,
  samplePrompt: 'a photo of a {}',
} as const;

/** The options of `perfusion train`, in the order `--help` lists them. */
export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { name: 'images', type: 'string', short: 'i', value: 'DIR', description: 'Folder of photos of the concept: PNG or JPEG, optionally a mask <name>.mask.png beside an image (required).' },
  { name: 'token', type: 'string', value: 'TOKEN', description: 'The new word that calls the concept in prompts, e.g. "<my-cat>"; it must not be in the model\'s vocabulary (required; one word, no spaces).' },
  {
    name: 'supercategory',
    type: 'string',
    value: 'WORD',
    description: 'The concept\'s class word, e.g. cat or "teddy bear": its encoding locks the concept\'s keys; every word must be one token of the vocabulary (required).',
  },
  {
    ...MODEL_OPTION,
    description:
      'Model folder in the diffusers/optimum ONNX layout, with vae_encoder/ (training encodes the photos into latents). ' +
      'Default: the embedded default model, the toy-world model of @perfusion/toymodel (64x64 pictures of coloured shapes; ' +
      'its supercategory words: star, circle, square, triangle, diamond, ring, cross, heart).',
  },
  {
    name: 'out',
    type: 'string',
    short: 'o',
    value: 'FILE',
    description: 'Where to write the concept (default: the token without <>, e.g. my-cat.safetensors). Written atomically when training ends; an existing file is kept unless --force.',
  },
  { name: 'steps', type: 'string', short: 's', value: 'N', description: `Optimiser steps in all, counting those of a resumed checkpoint (default ${TRAIN_DEFAULTS.steps}).` },
  { name: 'batch', type: 'string', value: 'N', description: `Samples per step; their gradients are averaged (default ${TRAIN_DEFAULTS.batch}).` },
  {
    name: 'micro-batch',
    type: 'string',
    value: 'N',
    description: `Samples per UNet call, a divisor of --batch: more is faster but needs more memory (default ${TRAIN_DEFAULTS.microBatch}).`,
  },
  { name: 'lr', type: 'string', value: 'X', description: `AdamW learning rate of the value targets, a number > 0 (default ${TRAIN_DEFAULTS.lr}).` },
  { name: 'embedding-lr', type: 'string', value: 'X', description: `AdamW learning rate of the token's word embedding, a number > 0 (default ${TRAIN_DEFAULTS.embeddingLr}).` },
  { name: 'resolution', type: 'string', value: 'N', description: "Side of the square training crops in pixels, a multiple of 8 (default: the model's, 512 for SD 1.5)." },
  { name: 'seed', type: 'string', value: 'N', description: `Seed of every random choice (images, flips, prompts, timesteps, noise) (default ${TRAIN_DEFAULTS.seed}).` },
  { name: 'no-flips', type: 'boolean', description: 'Do not add mirrored copies of the images (for concepts that are not left-right symmetric, e.g. with writing on them).' },
  {
    name: 'train-keys',
    type: 'boolean',
    description:
      "The paper's ablation: train the concept's keys instead of locking them. Keys are normally locked to the supercategory's; " +
      'with this flag the encoding they are computed from starts at the supercategory\'s and is trained with --embedding-lr.',
  },
  {
    name: 'checkpoint',
    type: 'string',
    value: 'FILE',
    description: 'Checkpoint file, written atomically every --checkpoint-every steps and at the end (default: the --out file with .ckpt.safetensors, e.g. my-cat.ckpt.safetensors).',
  },
  { name: 'checkpoint-every', type: 'string', value: 'N', description: `Steps between checkpoints (default ${TRAIN_DEFAULTS.checkpointEvery}).` },
  {
    name: 'resume',
    type: 'string',
    value: 'FILE',
    description: 'Continue from a checkpoint, with the same model, images and settings (only --steps may grow); the result is the same as an uninterrupted run.',
  },
  { name: 'samples', type: 'string', value: 'DIR', description: 'Generate an image with the concept as it stands every --sample-every steps and at the end: DIR/step-000050.png, ...' },
  { name: 'sample-every', type: 'string', value: 'N', description: `Steps between samples (default ${TRAIN_DEFAULTS.sampleEvery}; needs --samples).` },
  { name: 'sample-prompt', type: 'string', value: 'TEXT', description: `Prompt of the samples with {} where the token goes (default "${TRAIN_DEFAULTS.samplePrompt}"; needs --samples).` },
  {
    name: 'template',
    type: 'string',
    value: 'TEXT',
    multiple: true,
    description:
      'A training prompt with {} where the token goes; repeat for several, one drawn per sample (default: twelve framings such as "a photo of a {}"). ' +
      "Use the phrasings the model was trained on, e.g. the toy model's \"a large {} on the left\".",
  },
  { name: 'force', type: 'boolean', description: 'Replace an existing --out file, and start afresh over an existing --checkpoint file.' },
  HELP_OPTION,
];

/** Options accepted before any command. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', type: 'boolean', short: 'h', description: 'Show this help (perfusion <command> --help: that command\'s help).' },
  { name: 'version', type: 'boolean', short: 'v', description: 'Print the version.' },
];

/** `parseArgs`' option table for a list of specs. */
export function parseArgsOptions(specs: readonly OptionSpec[]): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const table: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const spec of specs) {
    table[spec.name] = {
      type: spec.type,
      ...(spec.short !== undefined && { short: spec.short }),
      ...(spec.multiple === true && { multiple: true }),
    };
  }
  return table;
}
