import type { GenerationEvent } from '@perfusion/pipeline';
import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  formatDuration,
  formatRate,
  INITIAL_PROGRESS,
  REDRAW,
  renderBar,
  renderMessage,
  renderPlainStep,
  renderPreparing,
  renderPreparingLine,
  renderPreparingSummary,
  preparingEtaSeconds,
  renderStep,
  renderSummary,
  stepsPerSecond,
  updateProgress,
  type ProgressState,
} from '../src/progress.js';

const start = (totalSteps: number): GenerationEvent => ({ type: 'start', seed: 1, totalSteps, request: {} }) as unknown as GenerationEvent;
const step = (index: number, total: number, timestep: number): GenerationEvent => ({ type: 'step', index, total, timestep });
const done = (): GenerationEvent =>
  ({ type: 'done', images: [], seed: 1, timings: { totalMs: 0, textEncoderMs: 0, conceptsMs: 0, unetMs: 0, schedulerMs: 0, vaeMs: 0 } }) as GenerationEvent;

/** Folds events that arrive at the given times (ms). */
function fold(timed: readonly [number, GenerationEvent][]): ProgressState {
  return timed.reduce((state, [now, event]) => updateProgress(state, event, now), INITIAL_PROGRESS);
}

// A 20-step run: start at t=1000 ms, first step 300 ms later (warm-up), then one step per 100 ms.
const timesteps = Array.from({ length: 20 }, (_, i) => 951 - 50 * i);
function run(steps: number): ProgressState {
  return fold([[1000, start(20)], ...Array.from({ length: steps }, (_, i): [number, GenerationEvent] => [1300 + 100 * i, step(i, 20, timesteps[i]!)])]);
}

describe('progress state', () => {
  it('counts finished steps and keeps the latest timestep', () => {
    expect(run(0)).toEqual({ totalSteps: 20, completed: 0, startedAt: 1000 });
    expect(run(3)).toEqual({ totalSteps: 20, completed: 3, timestep: 851, startedAt: 1000, firstStepAt: 1300, lastStepAt: 1500 });
  });

  it('leaves the state alone on a warning', () => {
    const warning: GenerationEvent = { type: 'warning', code: 'prompt-truncated', message: 'm', droppedText: 'x' };
    expect(updateProgress(run(2), warning, 99_999)).toEqual(run(2));
  });

  it('measures the rate from the first step on, so the warm-up does not count', () => {
    expect(stepsPerSecond(run(0))).toBeUndefined();
    expect(stepsPerSecond(run(1))).toBeCloseTo(1 / 0.3, 10); // one step 300 ms after start
    expect(stepsPerSecond(run(5))).toBeCloseTo(10, 10); // 4 steps in 400 ms
    expect(etaSeconds(run(5))).toBeCloseTo(1.5, 10); // 15 steps at 10 it/s
    expect(etaSeconds(run(20))).toBe(0);
  });

  it('formats rates as it/s, or s/it when slower than one step a second', () => {
    expect(formatRate(undefined)).toBe('? it/s');
    expect(formatRate(123.4)).toBe('123 it/s');
    expect(formatRate(12.34)).toBe('12.3 it/s');
    expect(formatRate(2.345)).toBe('2.35 it/s'); // toFixed rounding of the binary value
    expect(formatRate(0.25)).toBe('4.00 s/it');
  });

  it('formats durations as mm:ss or h:mm:ss', () => {
    expect(formatDuration(undefined)).toBe('--:--');
    expect(formatDuration(0.4)).toBe('00:00');
    expect(formatDuration(75)).toBe('01:15');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});

describe('plain progress (not a terminal)', () => {
  it('prints one line per step with step, timestep, rate and ETA', () => {
    expect(renderPlainStep(run(1))).toBe('step 1/20 t=951 3.33 it/s ETA 00:06');
    expect(renderPlainStep(run(5))).toBe('step 5/20 t=751 10.0 it/s ETA 00:02');
    expect(renderStep(run(5), { tty: false })).toBe('step 5/20 t=751 10.0 it/s ETA 00:02\n');
  });

  it('writes messages as plain lines', () => {
    expect(renderMessage('warning: truncated', { tty: false }, false)).toBe('warning: truncated\n');
    expect(renderMessage('warning: truncated', { tty: false }, true)).toBe('warning: truncated\n');
  });
});

describe('progress bar (terminal)', () => {
  const tty = { tty: true, columns: 120 } as const;

  it('redraws one line in place: steps, bar, percentage, rate and ETA', () => {
    const out = renderStep(run(5), tty);
    expect(out.startsWith(REDRAW)).toBe(true);
    expect(out).not.toContain('\n');
    expect(out.slice(REDRAW.length)).toBe(`step  5/20 |${'█'.repeat(10)}${'░'.repeat(30)}|  25% t=751 10.0 it/s ETA 00:02`);
  });

  it('fills the bar monotonically and ends full', () => {
    const filled = Array.from({ length: 21 }, (_, i) => [...renderBar(run(i), 120)].filter((c) => c === '█').length);
    for (let i = 1; i < filled.length; i++) expect(filled[i]!).toBeGreaterThanOrEqual(filled[i - 1]!);
    expect(filled[0]).toBe(0);
    expect(renderBar(run(20), 120)).toContain(`|${'█'.repeat(40)}| 100%`);
  });

  it('fits the terminal width, dropping the bar when it is too narrow', () => {
    for (const columns of [120, 80, 60, 50]) expect(renderBar(run(7), columns).length).toBeLessThan(columns);
    expect(renderBar(run(7), 40)).not.toContain('|');
    expect(renderBar(run(7), 20).length).toBeLessThan(20);
  });

  it('erases the bar before a message line', () => {
    expect(renderMessage('warning: truncated', tty, true)).toBe(`${REDRAW}warning: truncated\n`);
    expect(renderMessage('seed 1', tty, false)).toBe('seed 1\n');
  });
});

describe('summary', () => {
  it('reports steps, wall time from start to done and the rate', () => {
    const state = updateProgress(run(20), done(), 3500);
    expect(renderSummary(state)).toBe('done: 20 steps in 2.50 s (10.0 it/s)');
  });
});

describe('preparing stages (covariance before the first step)', () => {
  const preparing = (done: number, total = 5000): GenerationEvent => ({ type: 'preparing', stage: 'covariance', done, total });
  // The covariance starts at t=2000 ms and encodes 500 captions per second.
  const at = (done: number): ProgressState => fold([[1000, start(20)], [2000, preparing(0)], ...(done > 0 ? [[2000 + done * 2, preparing(done)] as [number, GenerationEvent]] : [])]);

  it('keeps the stage, counts and its clock in the state, leaving the steps alone', () => {
    expect(at(1000).preparing).toEqual({ stage: 'covariance', done: 1000, total: 5000, startedAt: 2000, lastAt: 4000 });
    expect(at(1000).completed).toBe(0);
    expect(at(1000).totalSteps).toBe(20);
  });

  it('estimates the time left from the stage\'s own rate', () => {
    expect(preparingEtaSeconds(at(0).preparing!)).toBeUndefined();
    expect(preparingEtaSeconds(at(1000).preparing!)).toBeCloseTo(8, 10); // 4000 captions at 500/s
    expect(preparingEtaSeconds(at(5000).preparing!)).toBe(0);
  });

  it('renders a line with counts, percentage and ETA, and a bar on a terminal', () => {
    expect(renderPreparingLine(at(1000).preparing!)).toBe('preparing covariance 1,000/5,000 captions  20% ETA 00:08');
    expect(renderPreparingLine(at(1000).preparing!, 100)).toBe(`preparing covariance |${'█'.repeat(6)}${'░'.repeat(24)}| 1,000/5,000 captions  20% ETA 00:08`);
    for (const columns of [100, 60, 40, 20]) expect(renderPreparingLine(at(2500).preparing!, columns).length).toBeLessThan(columns);
  });

  it('redraws in place on a terminal, and prints only every tenth of the way otherwise', () => {
    expect(renderPreparing(at(1000).preparing!, { tty: true, columns: 100 }, 960)).toMatch(new RegExp(`^${REDRAW.replace(/[[\]]/g, '\\$&')}preparing covariance \\|`));
    const plain = { tty: false } as const;
    expect(renderPreparing(at(0).preparing!, plain, undefined)).toBe('preparing covariance 0/5,000 captions   0% ETA --:--\n');
    expect(renderPreparing(at(480).preparing!, plain, 448)).toBe('');
    expect(renderPreparing(at(512).preparing!, plain, 480)).toBe('preparing covariance 512/5,000 captions  10% ETA 00:09\n');
    expect(renderPreparing(at(5000).preparing!, plain, 4992)).toBe('preparing covariance 5,000/5,000 captions 100% ETA 00:00\n');
    // From 0 to 5000 in batches of 32: the first line, one per tenth, and the last.
    const lines: string[] = [];
    let previous: number | undefined;
    for (let done = 0; ; done = Math.min(5000, done + 32)) {
      lines.push(renderPreparing(at(done).preparing!, plain, previous));
      previous = done;
      if (done === 5000) break;
    }
    expect(lines.filter((l) => l !== '')).toHaveLength(11);
  });

  it('times the first step from the end of the stage, not from the start', () => {
    const state = fold([[1000, start(20)], [2000, preparing(0)], [12_000, preparing(5000)], [12_200, step(0, 20, 951)]]);
    expect(stepsPerSecond(state)).toBeCloseTo(5, 10);
  });

  it('sums a stage up with its time', () => {
    expect(renderPreparingSummary(at(5000).preparing!)).toBe('covariance: 5,000 captions in 10.0 s');
  });
});
