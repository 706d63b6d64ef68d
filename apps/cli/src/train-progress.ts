import type { TrainingEvent, TrainingStartEvent } from '@perfusion/trainer';
import { formatDuration, formatRate, REDRAW, updatePreparing, type PreparingState, type ProgressMode } from './progress.js';

/**
 * Progress of one training, folded from the trainer's events and the times they arrived
 * (milliseconds from any fixed origin). Rendering is a pure function of it, tested without a
 * terminal, a clock or a model.
 */
export interface TrainingProgress {
  readonly totalSteps: number;
  /** Steps already done when this run started (those of a resumed checkpoint), else 0. */
  readonly startStep: number;
  /** Steps done, counting the resumed ones. */
  readonly step: number;
  /** The latest step's loss and the mean of the last (up to) 20, as the trainer reports them. */
  readonly loss?: number;
  readonly smoothedLoss?: number;
  /** The trainer's rate over this run's steps (preparation excluded) and its estimate of the time left. */
  readonly stepsPerSecond?: number;
  readonly etaSeconds?: number;
  /** Work before the first step (covariance, latents), the latest stage's. */
  readonly preparing?: PreparingState;
  /** The newest checkpoint on disk: written by this run, or the one it resumed from. */
  readonly checkpoint?: { readonly file: string; readonly step: number };
  /** When `start` and `done` arrived. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

export const INITIAL_TRAINING_PROGRESS: TrainingProgress = { totalSteps: 0, startStep: 0, step: 0 };

/** The state after `event` arrived at time `now` (ms). */
export function updateTrainingProgress(state: TrainingProgress, event: TrainingEvent, now: number): TrainingProgress {
  switch (event.type) {
    case 'start': {
      const resumed = event.request.resume;
      return {
        totalSteps: event.totalSteps,
        startStep: event.startStep,
        step: event.startStep,
        startedAt: now,
        ...(resumed !== undefined && { checkpoint: { file: resumed, step: event.startStep } }),
      };
    }
    case 'preparing':
      return { ...state, preparing: updatePreparing(state.preparing, event.stage, event.done, event.total, now) };
    case 'step':
      return {
        ...state,
        totalSteps: event.totalSteps,
        step: event.step,
        loss: event.loss,
        smoothedLoss: event.smoothedLoss,
        stepsPerSecond: event.stepsPerSecond,
        etaSeconds: event.etaSeconds,
      };
    case 'checkpoint':
      return { ...state, checkpoint: { file: event.file, step: event.step } };
    case 'sample':
      return state;
    case 'done':
      return { ...state, step: event.steps, finishedAt: now };
  }
}

/** A loss with four significant digits (`0.1234`, `1.335`), or `?` before the first step. */
export function formatLoss(loss: number | undefined): string {
  if (loss === undefined) return '?';
  return Number.isFinite(loss) ? loss.toPrecision(4) : String(loss);
}

function tail(state: TrainingProgress): string {
  return `loss ${formatLoss(state.smoothedLoss)} ${formatRate(state.stepsPerSecond)} ETA ${formatDuration(state.etaSeconds)}`;
}

/**
 * The bar for a terminal `columns` wide, without the redraw prefix; the loss shown is the smoothed
 * one (the mean of the last 20 steps), the steadier number to watch:
 * `step  12/400 |██░░░░░░░░|   3% loss 0.1234 10.6 it/s ETA 00:37`.
 */
export function renderTrainingBar(state: TrainingProgress, columns: number): string {
  const { step, totalSteps } = state;
  const fraction = totalSteps > 0 ? Math.min(1, step / totalSteps) : 0;
  const head = `step ${String(step).padStart(String(totalSteps).length)}/${totalSteps}`;
  const right = `${String(Math.floor(fraction * 100)).padStart(3)}% ${tail(state)}`;
  const barWidth = Math.max(0, Math.min(40, columns - head.length - right.length - 5));
  if (barWidth < 5) return `${head} ${right}`.slice(0, Math.max(1, columns - 1));
  const filled = Math.round(fraction * barWidth);
  return `${head} |${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}| ${right}`;
}

/** A step as a log line: `step 12/400 loss 1.318 (this step 1.335) 10.6 it/s ETA 00:37`. */
export function renderTrainingLine(state: TrainingProgress): string {
  return `step ${state.step}/${state.totalSteps} loss ${formatLoss(state.smoothedLoss)} (this step ${formatLoss(state.loss)}) ${formatRate(state.stepsPerSecond)} ETA ${formatDuration(state.etaSeconds)}`;
}

/** Off a terminal, a line is written at least this often (ms) while steps arrive, however slow they are. */
export const LOG_LINE_INTERVAL_MS = 30_000;

/**
 * Whether a log (not a terminal) gets a line for the step that produced `state`: the run's first
 * and last step, every twentieth of the run, and any step at least {@link LOG_LINE_INTERVAL_MS}
 * after the previous line (`lastLineAt`; undefined before the first).
 */
export function isLogLineDue(state: TrainingProgress, lastLineAt: number | undefined, now: number): boolean {
  const done = state.step - state.startStep;
  const every = Math.max(1, Math.ceil((state.totalSteps - state.startStep) / 20));
  return lastLineAt === undefined || done <= 1 || state.step >= state.totalSteps || done % every === 0 || now - lastLineAt >= LOG_LINE_INTERVAL_MS;
}

/**
 * What to write to stderr for the step that produced `state`: on a terminal the bar redrawn in
 * place; otherwise a line when {@link isLogLineDue}, else nothing.
 */
export function renderTrainingStep(state: TrainingProgress, mode: ProgressMode, lastLineAt: number | undefined, now: number): string {
  if (mode.tty) return `${REDRAW}${renderTrainingBar(state, mode.columns)}`;
  return isLogLineDue(state, lastLineAt, now) ? `${renderTrainingLine(state)}\n` : '';
}

/**
 * The line that opens a training:
 * `training <my-cat> (supercategory cat) on 3 images and their mirror images: 400 steps, batch 16 (micro-batch 1), 512x512, lr 0.03, embedding lr 0.006, seed 0`,
 * with `resuming from FILE at step 200/400` after it when resumed.
 */
export function renderTrainingStart(event: TrainingStartEvent): string[] {
  const r = event.request;
  const images = `${event.images} image${event.images === 1 ? '' : 's'}${r.flips ? ' and their mirror images' : ''}`;
  const lines = [
    `training ${r.token} (supercategory ${r.supercategory}) on ${images}: ${event.totalSteps} steps, batch ${r.batchSize} (micro-batch ${r.microBatchSize}), ` +
      `${r.resolution}x${r.resolution}, lr ${r.valueLearningRate}, embedding lr ${r.embeddingLearningRate}, seed ${r.seed}` +
      (r.keys === 'trained' ? ', keys trained (not locked: the ablation)' : ''),
  ];
  if (event.startStep > 0) lines.push(`resuming from ${r.resume} at step ${event.startStep}/${event.totalSteps}`);
  return lines;
}

/** The closing line on stderr: `done: 400 steps in 41.2 s (10.6 it/s), preparation included`; `steps` counts this run's. */
export function renderTrainingSummary(state: TrainingProgress): string {
  const seconds = state.startedAt !== undefined && state.finishedAt !== undefined ? (state.finishedAt - state.startedAt) / 1000 : undefined;
  const time = seconds === undefined ? '?' : seconds.toFixed(seconds < 10 ? 2 : 1);
  const steps = state.step - state.startStep;
  return `done: ${steps} step${steps === 1 ? '' : 's'}${state.startStep > 0 ? ` (from ${state.startStep} to ${state.step})` : ''} in ${time} s, preparation included (${formatRate(state.stepsPerSecond)})`;
}
