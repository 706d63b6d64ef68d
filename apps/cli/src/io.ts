/** What a command reads from and writes to; the bin wires the process, tests pass fakes. */
export interface CliIo {
  /** Writes to standard output as is (no newline added). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error as is (no newline added). */
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is then a bar redrawn in place). */
  readonly stderrIsTTY: boolean;
  /** Width of that terminal. */
  readonly columns: number;
  /** Calls `handler` on Ctrl-C (SIGINT); returns a function that stops doing so. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** Milliseconds from a fixed origin (performance.now in the bin). */
  readonly now: () => number;
}
