import type { TrainArgs } from './args.js';
import { formatLoss, type TrainingProgress } from './train-progress.js';

// What `perfusion train` tells the user when it ends, as pure functions of the run (tested without
// a model): the result on stdout, or where a cancelled run can be continued from.

/** `word` as one POSIX shell word: as is when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The options of a training's arguments, in `--help` order, as `[option, value]` (value undefined for a flag). */
const OPTION_OF: readonly (readonly [keyof TrainArgs, string])[] = [
  ['images', 'images'],
  ['token', 'token'],
  ['supercategory', 'supercategory'],
  ['model', 'model'],
  ['out', 'out'],
  ['steps', 'steps'],
  ['batch', 'batch'],
  ['microBatch', 'micro-batch'],
  ['lr', 'lr'],
  ['embeddingLr', 'embedding-lr'],
  ['resolution', 'resolution'],
  ['seed', 'seed'],
  ['noFlips', 'no-flips'],
  ['trainKeys', 'train-keys'],
  ['checkpoint', 'checkpoint'],
  ['checkpointEvery', 'checkpoint-every'],
  ['samples', 'samples'],
  ['sampleEvery', 'sample-every'],
  ['samplePrompt', 'sample-prompt'],
  ['templates', 'template'],
  ['force', 'force'],
];

/**
 * The command that continues a training from `checkpoint`: the same arguments (which the
 * checkpoint requires: same images, token and settings) with `--resume checkpoint` instead of any
 * earlier `--resume`.
 */
export function resumeCommand(args: TrainArgs, checkpoint: string): string {
  const words = ['perfusion', 'train'];
  for (const [key, option] of OPTION_OF) {
    const value = args[key];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      words.push(`--${option}`);
      if (one !== true) words.push(shellQuote(String(one)));
    }
  }
  words.push('--resume', shellQuote(checkpoint));
  return words.join(' ');
}

/** What a run that ends normally prints on stdout: the concept file, the summary, how to use it. */
export interface TrainingResult {
  /** The concept file as the user named it (or its default). */
  readonly file: string;
  readonly token: string;
  readonly supercategory: string;
  readonly steps: number;
  readonly finalLoss: number;
  /** Mean loss of the last (up to) 20 steps. */
  readonly smoothedLoss: number | undefined;
  /** `--model` when given, so that the hint uses the same model. */
  readonly model?: string;
}

/**
 * Three lines: the concept file's path (first, for scripts), the steps and final loss, and a
 * `perfusion generate` command that uses the concept.
 */
export function renderTrainingResult(result: TrainingResult): string {
  const smoothed = result.smoothedLoss === undefined ? '' : ` (mean of the last 20 steps ${formatLoss(result.smoothedLoss)})`;
  const model = result.model === undefined ? '' : ` --model ${shellQuote(result.model)}`;
  return (
    `${result.file}\n` +
    `trained ${result.token} (supercategory ${result.supercategory}): ${result.steps} steps, final loss ${formatLoss(result.finalLoss)}${smoothed}\n` +
    `try it: perfusion generate "a photo of ${result.token}" --concept ${shellQuote(result.file)}${model}\n`
  );
}

/**
 * What a run stopped by Ctrl-C says on stderr: how far it got, that no concept was written, and
 * where the newest checkpoint is with the command that continues from it (or that there is none).
 */
export function renderCancelled(state: TrainingProgress, args: TrainArgs, checkpointEvery: number): string[] {
  const lines = [`cancelled at step ${state.step}/${state.totalSteps}; no concept written.`];
  const checkpoint = state.checkpoint;
  if (checkpoint === undefined) {
    lines.push(`no checkpoint was written yet (one comes every ${checkpointEvery} steps; --checkpoint-every sets it), so a new run starts from step 0.`);
  } else {
    lines.push(`the last checkpoint is ${checkpoint.file} (step ${checkpoint.step}); continue from it with:`, `  ${resumeCommand(args, checkpoint.file)}`);
  }
  return lines;
}
