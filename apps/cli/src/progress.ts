import type { GenerationEvent } from '@perfusion/pipeline';

/**
 * Progress of one generation, folded from its events and the times they arrived (milliseconds
 * from any fixed origin). Rendering is a pure function of this state, so it is tested without a
 * terminal or a clock.
 */
export interface ProgressState {
  readonly totalSteps: number;
  /** Steps finished. */
  readonly completed: number;
  /** Timestep of the last finished step. */
  readonly timestep?: number;
  /** When `start` arrived. */
  readonly startedAt?: number;
  /** When the first and the latest `step` arrived. */
  readonly firstStepAt?: number;
  readonly lastStepAt?: number;
  /** When `done` arrived. */
  readonly finishedAt?: number;
  /** Work before the first step (`preparing` events), the latest stage's. */
  readonly preparing?: PreparingState;
}

/** Progress of a stage before the first step, e.g. the covariance: `done` of `total` units (captions). */
export interface PreparingState {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  /** When the stage's first event arrived and its latest. */
  readonly startedAt: number;
  readonly lastAt: number;
}

export const INITIAL_PROGRESS: ProgressState = { totalSteps: 0, completed: 0 };

/** The state after `event` arrived at time `now` (ms). Events other than start/step/done leave it unchanged. */
export function updateProgress(state: ProgressState, event: GenerationEvent, now: number): ProgressState {
  switch (event.type) {
    case 'start':
      return { totalSteps: event.totalSteps, completed: 0, startedAt: now };
    case 'step':
      return {
        ...state,
        totalSteps: event.total,
        completed: event.index + 1,
        timestep: event.timestep,
        firstStepAt: state.firstStepAt ?? now,
        lastStepAt: now,
      };
    case 'done':
      return { ...state, finishedAt: now };
    case 'preparing':
      return { ...state, preparing: updatePreparing(state.preparing, event.stage, event.done, event.total, now) };
    case 'warning':
      return state;
  }
}

/** The state of a preparing stage after a progress report (a new stage starts its clock afresh). */
export function updatePreparing(state: PreparingState | undefined, stage: string, done: number, total: number, now: number): PreparingState {
  const startedAt = state !== undefined && state.stage === stage && done >= state.done ? state.startedAt : now;
  return { stage, done, total, startedAt, lastAt: now };
}

/** What each preparing stage counts, for the progress line. */
const STAGE_UNITS: Readonly<Record<string, string>> = { covariance: 'captions', latents: 'images' };

/** Seconds left in a preparing stage at its rate so far. */
export function preparingEtaSeconds(state: PreparingState): number | undefined {
  const elapsed = (state.lastAt - state.startedAt) / 1000;
  if (state.done <= 0 || elapsed <= 0) return state.done >= state.total ? 0 : undefined;
  return ((state.total - state.done) * elapsed) / state.done;
}

/**
 * A preparing stage as one line: `covariance 1,216/5,000 captions  24% ETA 00:12`, with a bar
 * when `columns` is given (a terminal).
 */
export function renderPreparingLine(state: PreparingState, columns?: number): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 1;
  const unit = STAGE_UNITS[state.stage] ?? 'done';
  const counts = `${state.done.toLocaleString('en-US')}/${state.total.toLocaleString('en-US')} ${unit}`;
  const tail = `${String(Math.floor(fraction * 100)).padStart(3)}% ETA ${formatDuration(preparingEtaSeconds(state))}`;
  const head = `preparing ${state.stage}`;
  if (columns === undefined) return `${head} ${counts} ${tail}`;
  const barWidth = Math.max(0, Math.min(30, columns - head.length - counts.length - tail.length - 6));
  if (barWidth < 5) return `${head} ${counts} ${tail}`.slice(0, Math.max(1, columns - 1));
  const filled = Math.round(fraction * barWidth);
  return `${head} |${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}| ${counts} ${tail}`;
}

/**
 * What to write to stderr for a preparing report: on a terminal the bar redrawn in place; otherwise
 * a line at the start, at every tenth of the way and at the end (`previousDone` is the count before
 * this report, undefined at the stage's first), else nothing.
 */
export function renderPreparing(state: PreparingState, mode: ProgressMode, previousDone: number | undefined): string {
  if (mode.tty) return `${REDRAW}${renderPreparingLine(state, mode.columns)}`;
  const tenth = (done: number): number => (state.total > 0 ? Math.floor((10 * done) / state.total) : 10);
  const first = previousDone === undefined;
  if (first || state.done === state.total || tenth(state.done) > tenth(previousDone)) return `${renderPreparingLine(state)}\n`;
  return '';
}

/** The closing line of a preparing stage: `covariance: 5,000 captions in 12.3 s`. */
export function renderPreparingSummary(state: PreparingState): string {
  const seconds = (state.lastAt - state.startedAt) / 1000;
  return `${state.stage}: ${state.total.toLocaleString('en-US')} ${STAGE_UNITS[state.stage] ?? 'done'} in ${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

/**
 * Steps per second. From the second step on it is measured between the first and the latest
 * step, so that the first step's warm-up (text encoding, first-run allocations) does not skew it;
 * the first step alone is timed from the start, or from the end of a preparing stage.
 */
export function stepsPerSecond(state: ProgressState): number | undefined {
  const { completed, firstStepAt, lastStepAt, startedAt } = state;
  if (completed >= 2 && firstStepAt !== undefined && lastStepAt !== undefined && lastStepAt > firstStepAt) {
    return ((completed - 1) * 1000) / (lastStepAt - firstStepAt);
  }
  // The first step is timed from the start, or from the end of the work before it (the covariance).
  const origin = startedAt === undefined ? undefined : Math.max(startedAt, state.preparing?.lastAt ?? startedAt);
  if (completed >= 1 && origin !== undefined && lastStepAt !== undefined && lastStepAt > origin) {
    return (completed * 1000) / (lastStepAt - origin);
  }
  return undefined;
}

/** Seconds left at the current rate. */
export function etaSeconds(state: ProgressState): number | undefined {
  const rate = stepsPerSecond(state);
  return rate === undefined ? undefined : Math.max(0, state.totalSteps - state.completed) / rate;
}

/** `12.3 it/s`, or `3.52 s/it` below one step per second (full-size models on a CPU). */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '? it/s';
  return rate >= 1 ? `${rate.toFixed(rate >= 100 ? 0 : rate >= 10 ? 1 : 2)} it/s` : `${(1 / rate).toFixed(2)} s/it`;
}

/** `00:07`, `12:34` or `1:02:03`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Start of a line redrawn in place: carriage return, then erase the line. */
export const REDRAW = '\r\x1b[2K';

/**
 * The progress bar for a terminal `columns` wide, without the redraw prefix:
 * `step  7/20 |██████░░░░░░░░░░|  35% t=641 2.10 it/s ETA 00:06`.
 */
export function renderBar(state: ProgressState, columns: number): string {
  const { completed, totalSteps } = state;
  const digits = String(totalSteps).length;
  const fraction = totalSteps > 0 ? Math.min(1, completed / totalSteps) : 0;
  const head = `step ${String(completed).padStart(digits)}/${totalSteps}`;
  const tail =
    `${String(Math.floor(fraction * 100)).padStart(3)}%` +
    (state.timestep === undefined ? '' : ` t=${state.timestep}`) +
    ` ${formatRate(stepsPerSecond(state))} ETA ${formatDuration(etaSeconds(state))}`;
  const barWidth = Math.max(0, Math.min(40, columns - head.length - tail.length - 5));
  if (barWidth < 5) return `${head} ${tail}`.slice(0, Math.max(1, columns - 1));
  const filled = Math.round(fraction * barWidth);
  return `${head} |${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}| ${tail}`;
}

/** One line per step when stderr is not a terminal: `step 3/20 t=901 12.3 it/s ETA 00:01`. */
export function renderPlainStep(state: ProgressState): string {
  return (
    `step ${state.completed}/${state.totalSteps}` +
    (state.timestep === undefined ? '' : ` t=${state.timestep}`) +
    ` ${formatRate(stepsPerSecond(state))} ETA ${formatDuration(etaSeconds(state))}`
  );
}

/** Where progress is drawn: a terminal `columns` wide (redrawn in place) or a log (one line each). */
export type ProgressMode = { readonly tty: true; readonly columns: number } | { readonly tty: false };

/**
 * What to write to stderr for the step event that produced `state`: the bar redrawn in place on a
 * terminal, a new line otherwise.
 */
export function renderStep(state: ProgressState, mode: ProgressMode): string {
  return mode.tty ? `${REDRAW}${renderBar(state, mode.columns)}` : `${renderPlainStep(state)}\n`;
}

/**
 * A whole message line (warning, result) written while progress may be on screen: on a terminal
 * it erases the bar first; the bar is redrawn by the next step.
 */
export function renderMessage(line: string, mode: ProgressMode, barShown: boolean): string {
  return `${mode.tty && barShown ? REDRAW : ''}${line}\n`;
}

/** The closing summary: `done: 20 steps in 2.4 s (8.70 it/s)`. */
export function renderSummary(state: ProgressState): string {
  const seconds = state.startedAt !== undefined && state.finishedAt !== undefined ? (state.finishedAt - state.startedAt) / 1000 : undefined;
  const time = seconds === undefined ? '?' : seconds.toFixed(seconds < 10 ? 2 : 1);
  return `done: ${state.completed} steps in ${time} s (${formatRate(stepsPerSecond(state))})`;
}
