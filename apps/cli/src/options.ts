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
  readonly description: string;
}

/** The options of `perfusion generate`, in the order `--help` lists them. */
export const GENERATE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'model',
    type: 'string',
    short: 'm',
    value: 'DIR',
    description:
      'Model folder in the diffusers/optimum ONNX layout (model_index.json, unet/, text_encoder/, vae_decoder/, ' +
      'tokenizer/, scheduler/). Default: the embedded default model (for now the tiny test fixture, ' +
      'generated on first use into the cache and reused).',
  },
  { name: 'out', type: 'string', short: 'o', value: 'FILE.png', description: 'Where to write the image (default perfusion-<seed>.png). With --batch N > 1: FILE-0.png, FILE-1.png, ...' },
  { name: 'steps', type: 'string', short: 's', value: 'N', description: 'Denoising steps (default 20).' },
  { name: 'scheduler', type: 'string', value: 'NAME', description: `One of ${SCHEDULER_NAMES.join(', ')} (default: the model's scheduler_config.json).` },
  { name: 'seed', type: 'string', value: 'N', description: 'Non-negative integer; the same seed, model and options give the same image (default: random, printed).' },
  { name: 'guidance', type: 'string', value: 'G', description: 'Classifier-free guidance scale, a number >= 0; <= 1 turns guidance off (default 7.5).' },
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
  { name: 'help', type: 'boolean', short: 'h', description: 'Show this help.' },
];

/** Options accepted before any command. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', type: 'boolean', short: 'h', description: 'Show this help (perfusion <command> --help: that command\'s help).' },
  { name: 'version', type: 'boolean', short: 'v', description: 'Print the version.' },
];

/** `parseArgs`' option table for a list of specs. */
export function parseArgsOptions(specs: readonly OptionSpec[]): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const table: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of specs) table[spec.name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  return table;
}
