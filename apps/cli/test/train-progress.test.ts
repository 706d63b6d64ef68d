import type { TrainingEvent, TrainingStartEvent } from '@perfusion/trainer';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type TrainArgs } from '../src/args.js';
import { REDRAW } from '../src/progress.js';
import { renderCancelled, renderTrainingResult, resumeCommand, shellQuote } from '../src/train-messages.js';
import {
  formatLoss,
  INITIAL_TRAINING_PROGRESS,
  isLogLineDue,
  LOG_LINE_INTERVAL_MS,
  renderTrainingBar,
  renderTrainingLine,
  renderTrainingStart,
  renderTrainingStep,
  renderTrainingSummary,
  updateTrainingProgress,
  type TrainingProgress,
} from '../src/train-progress.js';
import { shellWords } from './helpers/shell-words.js';

/** A start event with the request fields the rendering reads. */
function start(totalSteps: number, startStep = 0, request: Record<string, unknown> = {}): TrainingStartEvent {
  return {
    type: 'start',
    images: 3,
    startStep,
    totalSteps,
    request: {
      token: '<my-cat>',
      supercategory: 'cat',
      batchSize: 16,
      microBatchSize: 2,
      resolution: 512,
      valueLearningRate: 0.03,
      embeddingLearningRate: 0.006,
      seed: 0,
      flips: true,
      ...request,
    },
  } as unknown as TrainingStartEvent;
}

function step(n: number, total: number, loss = 0.5 - n / 1000): TrainingEvent {
  return { type: 'step', step: n, totalSteps: total, loss, smoothedLoss: loss + 0.01, stepsPerSecond: 2.5, etaSeconds: (total - n) / 2.5 };
}

/** Folds events that arrive at the given times (ms). */
function fold(timed: readonly [number, TrainingEvent][]): TrainingProgress {
  return timed.reduce((state, [now, event]) => updateTrainingProgress(state, event, now), INITIAL_TRAINING_PROGRESS);
}

describe('training progress state', () => {
  it('starts at the resumed step and remembers the checkpoint it resumed from', () => {
    expect(fold([[5, start(400)]])).toEqual({ totalSteps: 400, startStep: 0, step: 0, startedAt: 5 });
    expect(fold([[5, start(400, 200, { resume: 'a.ckpt.safetensors' })]])).toEqual({
      totalSteps: 400,
      startStep: 200,
      step: 200,
      startedAt: 5,
      checkpoint: { file: 'a.ckpt.safetensors', step: 200 },
    });
  });

  it("keeps the trainer's loss, rate and ETA, the newest checkpoint, and the preparing stage", () => {
    const state = fold([
      [0, start(100)],
      [10, { type: 'preparing', stage: 'latents', done: 0, total: 6 }],
      [30, { type: 'preparing', stage: 'latents', done: 6, total: 6 }],
      [100, step(1, 100)],
      [200, { type: 'checkpoint', step: 1, file: 'c.safetensors' }],
      [300, step(2, 100, 0.25)],
    ]);
    expect(state).toEqual({
      totalSteps: 100,
      startStep: 0,
      step: 2,
      loss: 0.25,
      smoothedLoss: 0.26,
      stepsPerSecond: 2.5,
      etaSeconds: 98 / 2.5,
      startedAt: 0,
      preparing: { stage: 'latents', done: 6, total: 6, startedAt: 10, lastAt: 30 },
      checkpoint: { file: 'c.safetensors', step: 1 },
    });
    const done = updateTrainingProgress(state, { type: 'done', steps: 2, finalLoss: 0.25, file: undefined, concept: {} } as unknown as TrainingEvent, 4000);
    expect(done).toEqual({ ...state, finishedAt: 4000 });
  });
});

describe('training progress rendering', () => {
  const at12 = fold([
    [0, start(400)],
    [1000, step(12, 400, 0.12341)],
  ]);

  it('formats losses with four significant digits', () => {
    expect(formatLoss(undefined)).toBe('?');
    expect(formatLoss(0.123456)).toBe('0.1235');
    expect(formatLoss(1.33549)).toBe('1.335');
    expect(formatLoss(Number.NaN)).toBe('NaN');
  });

  it('draws a bar with the step, the smoothed loss, it/s and ETA, fitted to the terminal', () => {
    const bar = renderTrainingBar(at12, 100);
    expect(bar).toMatch(/^step {2}12\/400 \|█░+\| {3}3% loss 0\.1334 2\.50 it\/s ETA 02:35$/);
    expect(bar.length).toBeLessThanOrEqual(100);
    // Too narrow for a bar: the text alone, cut to the width.
    expect(renderTrainingBar(at12, 30)).toBe('step  12/400   3% loss 0.1334');
  });

  it('writes log lines with both losses', () => {
    expect(renderTrainingLine(at12)).toBe('step 12/400 loss 0.1334 (this step 0.1234) 2.50 it/s ETA 02:35');
  });

  it('off a terminal, writes the first and last steps, every twentieth of the run, and after 30 s of silence', () => {
    const state = (n: number, total = 400, startStep = 0): TrainingProgress => ({ ...INITIAL_TRAINING_PROGRESS, totalSteps: total, startStep, step: n });
    const due = (n: number, lastLineAt: number | undefined, now = 1000) => isLogLineDue(state(n), lastLineAt, now);
    expect(due(1, 0)).toBe(true);
    expect(due(2, 0)).toBe(false);
    expect(due(20, 0)).toBe(true);
    expect(due(21, 0)).toBe(false);
    expect(due(400, 0)).toBe(true);
    expect(due(7, undefined)).toBe(true); // the first line of the run
    expect(due(7, 0, LOG_LINE_INTERVAL_MS)).toBe(true);
    expect(due(7, 0, LOG_LINE_INTERVAL_MS - 1)).toBe(false);
    // A short run logs every step; a resumed one counts from where it resumed.
    expect([1, 2, 3, 4, 5, 6].map((n) => isLogLineDue(state(n, 6), 0, 0))).toEqual([true, true, true, true, true, true]);
    expect(isLogLineDue(state(201, 400, 200), 0, 0)).toBe(true);
    expect(isLogLineDue(state(210, 400, 200), 0, 0)).toBe(true);
    expect(isLogLineDue(state(211, 400, 200), 0, 0)).toBe(false);
  });

  it('redraws the bar in place on a terminal, and writes whole lines or nothing otherwise', () => {
    expect(renderTrainingStep(at12, { tty: true, columns: 100 }, 0, 1)).toBe(`${REDRAW}${renderTrainingBar(at12, 100)}`);
    expect(renderTrainingStep(at12, { tty: false }, undefined, 1)).toBe(`${renderTrainingLine(at12)}\n`);
    expect(renderTrainingStep(at12, { tty: false }, 0, 1)).toBe('');
  });

  it('opens with the settings in use, and says where a resumed run starts', () => {
    expect(renderTrainingStart(start(400))).toEqual([
      'training <my-cat> (supercategory cat) on 3 images and their mirror images: 400 steps, batch 16 (micro-batch 2), 512x512, lr 0.03, embedding lr 0.006, seed 0',
    ]);
    const resumed = renderTrainingStart(start(400, 250, { resume: 'a.ckpt.safetensors', flips: false }));
    expect(resumed[0]).toMatch(/ on 3 images: 400 steps,/);
    expect(resumed[1]).toBe('resuming from a.ckpt.safetensors at step 250/400');
    expect(renderTrainingStart(start(400, 0, { keys: 'trained' }))[0]).toMatch(/, seed 0, keys trained \(not locked: the ablation\)$/);
  });

  it("sums up this run's steps and time", () => {
    const done = (startStep: number) =>
      renderTrainingSummary({ ...INITIAL_TRAINING_PROGRESS, totalSteps: 400, startStep, step: 400, startedAt: 1000, finishedAt: 42_200, stepsPerSecond: 10.6 });
    expect(done(0)).toBe('done: 400 steps in 41.2 s, preparation included (10.6 it/s)');
    expect(done(150)).toBe('done: 250 steps (from 150 to 400) in 41.2 s, preparation included (10.6 it/s)');
  });
});

describe('training results and cancellation', () => {
  const args = (...extra: string[]): TrainArgs => {
    const line = parseCommandLine(['train', '--images', 'my photos', '--token', '<my-cat>', '--supercategory', 'teddy bear', ...extra]);
    if (line.kind !== 'train') throw new Error(line.kind);
    return line.args;
  };

  it('quotes shell words only when needed', () => {
    expect(shellQuote('photos/cat_1.png')).toBe('photos/cat_1.png');
    expect(shellQuote('<my-cat>')).toBe("'<my-cat>'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellWords(shellQuote("a 'b' <c>"))).toEqual(["a 'b' <c>"]);
  });

  it('prints the concept file first, then the summary and a generate command that uses it', () => {
    const text = renderTrainingResult({ file: 'out/my cat.safetensors', token: '<my-cat>', supercategory: 'cat', steps: 400, finalLoss: 0.1234, smoothedLoss: 0.13, model: 'sd15' });
    expect(text).toBe(
      'out/my cat.safetensors\n' +
        'trained <my-cat> (supercategory cat): 400 steps, final loss 0.1234 (mean of the last 20 steps 0.1300)\n' +
        `try it: perfusion generate "a photo of <my-cat>" --concept 'out/my cat.safetensors' --model sd15\n`,
    );
    const plain = renderTrainingResult({ file: 'c.safetensors', token: '<c>', supercategory: 'cat', steps: 4, finalLoss: 1, smoothedLoss: undefined });
    expect(plain.split('\n')[2]).toBe('try it: perfusion generate "a photo of <c>" --concept c.safetensors');
  });

  it('rebuilds the command line with --resume, which parses back to the same arguments', () => {
    const original = args(
      ...['--steps', '600', '--no-flips', '--train-keys', '--sample-prompt', "a {} at night, it's dark", '--samples', 's', '--resume', 'old.safetensors', '--force'],
      ...['--template', 'a {} on the left', '--template', 'a large {}'],
    );
    const command = resumeCommand(original, 'my-cat.ckpt.safetensors');
    expect(command).toBe(
      "perfusion train --images 'my photos' --token '<my-cat>' --supercategory 'teddy bear' --steps 600 --no-flips --train-keys --samples s " +
        "--sample-prompt 'a {} at night, it'\\''s dark' --template 'a {} on the left' --template 'a large {}' --force --resume my-cat.ckpt.safetensors",
    );
    expect(parseCommandLine(shellWords(command).slice(1))).toEqual({ kind: 'train', args: { ...original, resume: 'my-cat.ckpt.safetensors' } });
  });

  it('on Ctrl-C says where the last checkpoint is and how to continue, or that there is none', () => {
    const state: TrainingProgress = { ...INITIAL_TRAINING_PROGRESS, totalSteps: 400, step: 37, checkpoint: { file: 'my-cat.ckpt.safetensors', step: 25 } };
    expect(renderCancelled(state, args(), 25)).toEqual([
      'cancelled at step 37/400; no concept written.',
      'the last checkpoint is my-cat.ckpt.safetensors (step 25); continue from it with:',
      "  perfusion train --images 'my photos' --token '<my-cat>' --supercategory 'teddy bear' --resume my-cat.ckpt.safetensors",
    ]);
    expect(renderCancelled({ ...state, checkpoint: undefined }, args(), 50)).toEqual([
      'cancelled at step 37/400; no concept written.',
      'no checkpoint was written yet (one comes every 50 steps; --checkpoint-every sets it), so a new run starts from step 0.',
    ]);
  });
});
