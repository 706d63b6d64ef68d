import * as fs from 'node:fs';
import { parseCommandLine } from './args.js';
import { CliUsageError } from './errors.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { helpText } from './help.js';
import type { CliIo } from './io.js';

function version(): string {
  const manifest = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Typed errors of the project say what was wrong and what to do; anything else gets its stack.
  return error.constructor !== Error && error.message !== '' ? error.message : (error.stack ?? error.message);
}

/**
 * Runs `perfusion` with `argv` (the arguments after the program name) and returns the exit code:
 * 0 done, 1 failed, 2 bad command line or input, 130 cancelled by Ctrl-C. Never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr(`perfusion: ${error.message}\nRun perfusion ${error.command === undefined ? '' : `${error.command} `}--help for usage.\n`);
    return EXIT_USAGE;
  }
  try {
    switch (line.kind) {
      case 'help':
        io.stdout(helpText(line.command));
        return EXIT_OK;
      case 'version':
        io.stdout(`${version()}\n`);
        return EXIT_OK;
      // Loaded on demand: --help and usage errors answer without loading onnxruntime.
      case 'generate': {
        const { runGenerate } = await import('./generate-command.js');
        return await runGenerate(line.args, io);
      }
      case 'train': {
        const { runTrain } = await import('./train-command.js');
        return await runTrain(line.args, io);
      }
      case 'inspect': {
        const { runInspect } = await import('./inspect-command.js');
        return await runInspect(line.args, io);
      }
      case 'covariance': {
        const { runCovariance } = await import('./covariance-command.js');
        return await runCovariance(line.args, io);
      }
      case 'concept-from-words': {
        const { runFromWords } = await import('./from-words-command.js');
        return await runFromWords(line.args, io);
      }
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`perfusion: ${error.message}\nRun perfusion ${error.command === undefined ? '' : `${error.command} `}--help for usage.\n`);
      return EXIT_USAGE;
    }
    // The library classes are imported only now: --help and usage errors never load onnxruntime.
    const { isBadInput } = await import('./bad-input.js');
    if (isBadInput(error)) {
      io.stderr(`perfusion: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`perfusion: ${describe(error)}\n`);
    return EXIT_FAILED;
  }
}
