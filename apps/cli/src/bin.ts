import { EXIT_INTERRUPTED } from './exit-codes.js';
import { runCli } from './cli.js';

// Entry point of the perfusion command (see bin/perfusion.mjs). The first Ctrl-C asks the running
// command to stop cleanly between two steps; a second one quits at once (files are written
// atomically, so even then none is left half-written).
const handlers = new Set<() => void>();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1 || handlers.size === 0) process.exit(EXIT_INTERRUPTED);
  for (const handler of [...handlers]) handler();
});

// A reader that goes away (`perfusion generate ... 2>&1 | head`) must not kill a generation: output
// to a closed pipe is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
  // A pseudo-terminal without a size reports 0 columns.
  columns: process.stderr.columns > 0 ? process.stderr.columns : 80,
  onInterrupt: (handler) => {
    handlers.add(handler);
    return () => handlers.delete(handler);
  },
  now: () => performance.now(),
});
