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
    case 'warning':
      return state;
  }
}

/**
 * Steps per second. From the second step on it is measured between the first and the latest
 * step, so that the first step's warm-up (text encoding, first-run allocations) does not skew it.
 */
export function stepsPerSecond(state: ProgressState): number | undefined {
  const { completed, firstStepAt, lastStepAt, startedAt } = state;
  if (completed >= 2 && firstStepAt !== undefined && lastStepAt !== undefined && lastStepAt > firstStepAt) {
    return ((completed - 1) * 1000) / (lastStepAt - firstStepAt);
  }
  if (completed >= 1 && startedAt !== undefined && lastStepAt !== undefined && lastStepAt > startedAt) {
    return (completed * 1000) / (lastStepAt - startedAt);
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
