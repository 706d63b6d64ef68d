import type { CliIo } from './io.js';
import { renderMessage, renderPreparing, renderPreparingSummary, type PreparingState, type ProgressMode } from './progress.js';

/**
 * Writes a command's progress and messages to stderr, keeping a terminal's bar on one line: the
 * part `perfusion generate` and `perfusion train` share (their bars and events differ).
 */
export class StderrProgress {
  private barShown = false;

  constructor(
    protected readonly io: CliIo,
    protected readonly mode: ProgressMode,
  ) {}

  message(line: string): void {
    this.io.stderr(renderMessage(line, this.mode, this.barShown));
    this.barShown = false;
  }

  /** Ends the bar's line (leaving it on screen) so that later lines start below it. */
  endBar(): void {
    if (this.barShown) this.io.stderr('\n');
    this.barShown = false;
  }

  /** Writes a bar (or, off a terminal, a progress line); nothing for ''. */
  protected write(text: string): void {
    if (text === '') return;
    // Set first: a Ctrl-C handled while this is written must know the bar is on screen.
    this.barShown = this.mode.tty;
    this.io.stderr(text);
  }

  /** A preparing stage's progress (`before`: the stage's state at the previous report), and its summary once complete. */
  protected preparing(before: PreparingState | undefined, stage: PreparingState): void {
    const previous = before !== undefined && before.stage === stage.stage && stage.done >= before.done ? before.done : undefined;
    this.write(renderPreparing(stage, this.mode, previous));
    if (stage.done === stage.total && previous !== stage.total) this.message(renderPreparingSummary(stage));
  }
}
