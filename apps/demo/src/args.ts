import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DemoUsageError } from './errors.js';
import { DEFAULT_CONCEPTS_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_QUEUE, DEFAULT_WORKERS, type DemoServerOptions } from './server.js';

export const DEMO_USAGE = `Usage: npm run demo -- [options]

Serves the Perfusion demo page: type a prompt, pick concepts, move β and τ, watch the image form.

Options:
  --model DIR      a model folder (diffusers/optimum ONNX layout); default: the embedded default model
  --concepts DIR   where concept files are listed from and uploaded to (created when missing);
                   default ./${DEFAULT_CONCEPTS_DIR}
  --port N         default ${DEFAULT_PORT}; 0 picks a free port
  --host ADDRESS   default ${DEFAULT_HOST} (this machine only); 0.0.0.0 serves the network
  --workers N      generations at once, each worker holding its own copy of the model (default ${DEFAULT_WORKERS})
  --queue N        generations that may wait beyond the running ones; more get "busy" (default ${DEFAULT_QUEUE})
  -h, --help       show this text
`;

/** A parsed command line: the server's options, or a request for the usage text. */
export type DemoArgs = { readonly help: true } | { readonly help: false; readonly options: DemoServerOptions };

/**
 * Parses the demo's command line. Relative folders are resolved against `cwd` (the folder the
 * command was typed in).
 * @throws {DemoUsageError} naming the option, the value given and what is accepted.
 */
export function parseDemoArgs(argv: readonly string[], cwd: string): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        concepts: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        workers: { type: 'string' },
        queue: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // node's advice on positionals does not apply (the demo takes none); its other hints stay, on one line.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
    throw new DemoUsageError(`${message}. See --help for the options.`);
  }
  if (values['help'] === true) return { help: true };
  const text = (name: string): string | undefined => {
    const value = values[name] as string | undefined;
    if (value === '') throw new DemoUsageError(`--${name} needs a value. See --help.`);
    return value;
  };
  const folder = (name: string): string | undefined => {
    const value = text(name);
    return value === undefined ? undefined : path.resolve(cwd, value);
  };
  const model = folder('model');
  const concepts = folder('concepts');
  const host = text('host');
  const port = integer('port', text('port'), 0, 65535);
  const workers = integer('workers', text('workers'), 1, 64);
  const queue = integer('queue', text('queue'), 0, 10_000);
  return {
    help: false,
    options: {
      ...(model !== undefined && { modelDir: model }),
      ...(concepts !== undefined && { conceptsDir: concepts }),
      ...(host !== undefined && { host }),
      ...(port !== undefined && { port }),
      ...(workers !== undefined && { workers }),
      ...(queue !== undefined && { queue }),
    },
  };
}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new DemoUsageError(`--${name} ${value}: pass an integer from ${min} to ${max}.`);
  return n;
}
