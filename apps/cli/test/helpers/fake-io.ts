import type { CliIo } from '../../src/io.js';

/**
 * A CliIo that records what is written, for running commands in-process. `onStderr` may react to
 * what arrives (e.g. press Ctrl-C through `interrupt`); the clock advances 100 ms per reading, so
 * rates and times are deterministic.
 */
export function fakeIo(options: { tty: boolean; onStderr?: (text: string, interrupt: () => void) => void }) {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<() => void>();
  const interrupt = (): void => handlers.forEach((h) => h());
  let clock = 0;
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => {
      stderr += text;
      options.onStderr?.(text, interrupt);
    },
    stderrIsTTY: options.tty,
    columns: 100,
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    now: () => (clock += 100),
  };
  return { io, output: () => ({ stdout, stderr }), listeners: () => handlers.size };
}
