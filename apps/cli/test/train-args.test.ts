import { DEFAULT_PROMPT_TEMPLATES, resolveTrainingRequest } from '@perfusion/trainer';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type TrainArgs } from '../src/args.js';
import { CliUsageError } from '../src/errors.js';
import { helpText } from '../src/help.js';
import { TRAIN_DEFAULTS, TRAIN_OPTIONS } from '../src/options.js';
import { defaultCheckpointPath, samplePath } from '../src/output-paths.js';
import { trainingPaths, trainingRequest } from '../src/train-command.js';

const REQUIRED = ['--images', 'photos', '--token', '<my-cat>', '--supercategory', 'cat'];

function train(...extra: string[]): TrainArgs {
  const line = parseCommandLine(['train', ...REQUIRED, ...extra]);
  if (line.kind !== 'train') throw new Error(`parsed as ${line.kind}`);
  return line.args;
}

function usageError(argv: string[]): CliUsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    return error as CliUsageError;
  }
  throw new Error(`parseCommandLine(${JSON.stringify(argv)}) did not throw`);
}

describe('parseCommandLine: train', () => {
  it('reads the three required options and nothing else', () => {
    expect(train()).toEqual({ images: 'photos', token: '<my-cat>', supercategory: 'cat' });
  });

  it('reads every option', () => {
    const args = train(
      ...['--model', 'sd15', '--out', 'c/cat.safetensors', '--steps', '600', '--batch', '8', '--micro-batch', '4', '--lr', '0.05', '--embedding-lr', '1e-3'],
      ...['--resolution', '256', '--seed', '7', '--no-flips', '--checkpoint', 'c/cat.ckpt.safetensors', '--checkpoint-every', '25', '--resume', 'old.ckpt.safetensors'],
      ...['--samples', 's', '--sample-every', '10', '--sample-prompt', 'a {} on a beach', '--train-keys', '--force'],
      ...['--template', 'a {} on a beach', '--template', 'a large {}'],
    );
    expect(args).toEqual({
      images: 'photos',
      token: '<my-cat>',
      supercategory: 'cat',
      model: 'sd15',
      out: 'c/cat.safetensors',
      steps: 600,
      batch: 8,
      microBatch: 4,
      lr: 0.05,
      embeddingLr: 0.001,
      resolution: 256,
      seed: 7,
      noFlips: true,
      trainKeys: true,
      checkpoint: 'c/cat.ckpt.safetensors',
      checkpointEvery: 25,
      resume: 'old.ckpt.safetensors',
      samples: 's',
      sampleEvery: 10,
      samplePrompt: 'a {} on a beach',
      templates: ['a {} on a beach', 'a large {}'],
      force: true,
    });
  });

  it('keeps a supercategory of several words, trimmed', () => {
    expect(train('--supercategory', ' teddy bear ').supercategory).toBe('teddy bear');
  });

  it.each([
    [['train'], /perfusion train needs --images, e.g. --images photos\//],
    [['train', '--images', 'p', '--supercategory', 'cat'], /needs --token, e.g. --token "<my-cat>"/],
    [['train', '--images', 'p', '--token', '<t>'], /needs --supercategory, e.g. --supercategory cat/],
    [['train', ...REQUIRED, 'extra'], /takes no words outside options, got "extra"/],
    [['train', ...REQUIRED, '--token', 'my cat'], /--token must be one word without spaces, got "my cat"/],
    [['train', ...REQUIRED, '--steps', '0'], /--steps must be an integer >= 1, got "0"/],
    [['train', ...REQUIRED, '--steps', '1.5'], /--steps must be an integer >= 1, got "1\.5"/],
    [['train', ...REQUIRED, '--batch', 'four'], /--batch must be an integer >= 1, got "four"/],
    [['train', ...REQUIRED, '--lr', '0'], /--lr must be a number > 0, got "0"/],
    [['train', ...REQUIRED, '--embedding-lr=-1e-3'], /--embedding-lr must be a number > 0, got "-1e-3"/],
    [['train', ...REQUIRED, '--lr', 'fast'], /--lr must be a number > 0, got "fast"/],
    [['train', ...REQUIRED, '--resolution', '500'], /--resolution must be a positive multiple of 8 pixels, got "500" \(the nearest are 496 and 504\)/],
    [['train', ...REQUIRED, '--seed=-1'], /--seed must be an integer >= 0/],
    [['train', ...REQUIRED, '--checkpoint-every', '0'], /--checkpoint-every must be an integer >= 1/],
    [['train', ...REQUIRED, '--out', 'cat.png'], /--out must name a \.safetensors file, got "cat\.png"/],
    [['train', ...REQUIRED, '--checkpoint', 'cat.ckpt'], /--checkpoint must name a \.safetensors file/],
    [['train', ...REQUIRED, '--micro-batch', '3'], /--micro-batch 3 must divide the batch size 16 \(the default; --batch sets it\); choose one of 1, 2, 4, 8, 16\./],
    [['train', ...REQUIRED, '--batch', '6', '--micro-batch', '4'], /--micro-batch 4 must divide the batch size 6; choose one of 1, 2, 3, 6\./],
    [['train', ...REQUIRED, '--sample-every', '10'], /--sample-every only applies with --samples DIR/],
    [['train', ...REQUIRED, '--sample-prompt', 'a {}'], /--sample-prompt only applies with --samples DIR/],
    [['train', ...REQUIRED, '--samples', 's', '--sample-prompt', 'a cat'], /--sample-prompt must contain \{\} exactly once/],
    [['train', ...REQUIRED, '--template', 'a photo of a cat'], /--template must contain \{\} exactly once \(where the token goes\), got "a photo of a cat"/],
    [['train', ...REQUIRED, '--learning-rate', '1'], /Unknown option --learning-rate for perfusion train/],
    [['train', ...REQUIRED, '--step', '5'], /Unknown option --step for perfusion train \(did you mean --steps\?\)/],
  ])('rejects %j', (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toMatch(message);
    expect(error.command).toBe('train');
  });

  it('answers --help without checking anything else', () => {
    expect(parseCommandLine(['train', '--steps', 'many', '--help'])).toEqual({ kind: 'help', command: 'train' });
    expect(parseCommandLine(['help', 'train'])).toEqual({ kind: 'help', command: 'train' });
  });

  it('lists every option in the help, and the command in the global help', () => {
    const help = helpText('train');
    for (const option of TRAIN_OPTIONS) expect(help).toContain(`--${option.name}`);
    expect(helpText()).toMatch(/^ {2}train {18}train a Perfusion concept on a folder of photos$/m);
  });
});

describe('train: paths and the trainer request', () => {
  it('defaults the concept file to the token and the checkpoint to beside it', () => {
    expect(trainingPaths(train())).toEqual({ out: 'my-cat.safetensors', checkpoint: 'my-cat.ckpt.safetensors' });
    expect(trainingPaths(train('--out', 'c/Cat.SafeTensors'))).toEqual({ out: 'c/Cat.SafeTensors', checkpoint: 'c/Cat.ckpt.safetensors' });
    expect(trainingPaths(train('--checkpoint', 'x.safetensors'))).toEqual({ out: 'my-cat.safetensors', checkpoint: 'x.safetensors' });
    expect(defaultCheckpointPath('a.b.safetensors')).toBe('a.b.ckpt.safetensors');
  });

  it('names samples by their six-digit step', () => {
    expect(samplePath('s', 50)).toBe('s/step-000050.png');
    expect(samplePath('s', 1234567)).toBe('s/step-1234567.png');
  });

  it('passes only what was given, so the trainer applies its defaults', () => {
    const args = train();
    expect(trainingRequest(args, trainingPaths(args))).toEqual({
      images: 'photos',
      token: '<my-cat>',
      supercategory: 'cat',
      out: 'my-cat.safetensors',
      checkpoint: 'my-cat.ckpt.safetensors',
    });
    const full = train('--steps', '5', '--batch', '4', '--micro-batch', '2', '--lr', '0.1', '--embedding-lr', '0.01', '--resolution', '64', '--seed', '3', '--no-flips');
    expect(trainingRequest(full, trainingPaths(full))).toMatchObject({
      steps: 5,
      batchSize: 4,
      microBatchSize: 2,
      valueLearningRate: 0.1,
      embeddingLearningRate: 0.01,
      resolution: 64,
      seed: 3,
      flips: false,
    });
  });

  it("passes --train-keys as the trainer's keys: 'trained' (the ablation), and nothing without it", () => {
    const request = (...extra: string[]) => {
      const args = train(...extra);
      return trainingRequest(args, trainingPaths(args));
    };
    expect(request('--train-keys')).toMatchObject({ keys: 'trained' });
    expect(request()).not.toHaveProperty('keys');
    expect(resolveTrainingRequest(request(), 64).keys).toBe('locked');
    expect(helpText('train').replace(/\s+/g, ' ')).toContain("--train-keys The paper's ablation: train the concept's keys instead of locking them. Keys are normally locked to the supercategory's");
  });

  it('samples only with --samples, every 50 steps unless told', () => {
    const request = (...extra: string[]) => {
      const args = train(...extra);
      return trainingRequest(args, trainingPaths(args));
    };
    expect(request()).not.toHaveProperty('sampleEvery');
    expect(request('--samples', 's')).toMatchObject({ sampleEvery: 50 });
    expect(request('--samples', 's', '--sample-every', '7', '--sample-prompt', 'a {} in snow')).toMatchObject({ sampleEvery: 7, samplePrompt: 'a {} in snow' });
  });

  it('trains in the --template prompts given, in order, or in the trainer’s framings', () => {
    const request = (...extra: string[]) => {
      const args = train(...extra);
      return trainingRequest(args, trainingPaths(args));
    };
    expect(request('--template', 'a {} on the left', '--template', 'a large {}')).toMatchObject({ templates: ['a {} on the left', 'a large {}'] });
    expect(request()).not.toHaveProperty('templates');
    expect(resolveTrainingRequest(request(), 64).templates).toEqual(DEFAULT_PROMPT_TEMPLATES);
  });

  it("states the trainer's defaults (help text and argument checks use these)", () => {
    const resolved = resolveTrainingRequest({ images: 'p', token: '<t>', supercategory: 'cat' }, 64);
    expect({
      steps: resolved.steps,
      batch: resolved.batchSize,
      microBatch: resolved.microBatchSize,
      lr: resolved.valueLearningRate,
      embeddingLr: resolved.embeddingLearningRate,
      seed: resolved.seed,
      checkpointEvery: resolved.checkpointEvery,
      samplePrompt: resolved.samplePrompt,
    }).toEqual({
      steps: TRAIN_DEFAULTS.steps,
      batch: TRAIN_DEFAULTS.batch,
      microBatch: TRAIN_DEFAULTS.microBatch,
      lr: TRAIN_DEFAULTS.lr,
      embeddingLr: TRAIN_DEFAULTS.embeddingLr,
      seed: TRAIN_DEFAULTS.seed,
      checkpointEvery: TRAIN_DEFAULTS.checkpointEvery,
      samplePrompt: TRAIN_DEFAULTS.samplePrompt,
    });
    expect(resolved.flips).toBe(true);
  });
});
