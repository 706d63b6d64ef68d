import { parseArgs } from 'node:util';
import { SCHEDULER_NAMES, type SchedulerName } from '@perfusion/scheduler';
import { CliUsageError } from './errors.js';
import { GENERATE_OPTIONS, GLOBAL_OPTIONS, NOISE_MODES, parseArgsOptions, type NoiseMode, type OptionSpec } from './options.js';
import { closest } from './suggest.js';
import { parseChoice, parseImageSide, parseInteger, parseNumber, parsePath, parsePngPath } from './values.js';

/** The commands `perfusion` knows. */
export const COMMANDS = ['generate'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What `perfusion generate` was asked to do; absent fields take the pipeline's defaults. */
export interface GenerateArgs {
  readonly prompt: string;
  readonly model?: string;
  readonly out?: string;
  readonly steps?: number;
  readonly scheduler?: SchedulerName;
  readonly seed?: number;
  readonly guidance?: number;
  readonly width?: number;
  readonly height?: number;
  readonly negative?: string;
  readonly noise?: NoiseMode;
  readonly batch: number;
  readonly previews?: string;
}

/** A command line, understood. */
export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'generate'; readonly args: GenerateArgs };

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

function unknownCommand(name: string): CliUsageError {
  const guess = closest(name, COMMANDS);
  return new CliUsageError(`Unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; commands: ${COMMANDS.join(', ')}.`);
}

/** Asks for help before anything else is checked, as long as it comes before a `--` terminator. */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** parseArgs with its errors turned into CliUsageErrors (with a suggestion for a mistyped option). */
function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command?: CommandName) {
  try {
    return parseArgs({ args: [...argv], options: parseArgsOptions(specs), strict: true, allowPositionals: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').trim();
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const guess = closest(unknown[2]!, specs.map((s) => s.name));
      const where = command === undefined ? 'perfusion' : `perfusion ${command}`;
      throw new CliUsageError(
        `Unknown option ${unknown[1]}${unknown[2]} for ${where}${guess ? ` (did you mean --${guess}?)` : ''}; ` +
          `options: ${specs.map((s) => `--${s.name}`).join(', ')}.`,
        command,
      );
    }
    throw new CliUsageError(message, command);
  }
}

/**
 * Understands `perfusion`'s arguments (those after the command name). Pure: reads no file and
 * checks no path, so it is tested without a model.
 *
 * @throws {CliUsageError} for an unknown command or option, a missing or malformed value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const first = argv[0];
  if (first === undefined) throw new CliUsageError(`No command given; commands: ${COMMANDS.join(', ')}.`);
  if (first.startsWith('-')) {
    const { values, positionals } = parseOptions(argv, GLOBAL_OPTIONS);
    if (values.help === true) return { kind: 'help' };
    if (values.version === true) return { kind: 'version' };
    throw positionals[0] !== undefined
      ? new CliUsageError(`Put the command first: perfusion ${positionals[0]} [options].`)
      : new CliUsageError(`No command given; commands: ${COMMANDS.join(', ')}.`);
  }
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) return { kind: 'help' };
    if (!isCommand(topic)) throw unknownCommand(topic);
    return { kind: 'help', command: topic };
  }
  if (!isCommand(first)) throw unknownCommand(first);
  const rest = argv.slice(1);
  if (wantsHelp(rest)) return { kind: 'help', command: first };
  return { kind: 'generate', args: parseGenerateArgs(rest) };
}

function parseGenerateArgs(argv: readonly string[]): GenerateArgs {
  const { values, positionals } = parseOptions(argv, GENERATE_OPTIONS, 'generate');
  if (positionals.length === 0) {
    throw new CliUsageError('perfusion generate needs a prompt: perfusion generate "a red cat on a sofa" [options].', 'generate');
  }
  if (positionals.length > 1) {
    throw new CliUsageError(
      `perfusion generate takes one prompt but got ${positionals.length} words outside options (${positionals.map((p) => JSON.stringify(p)).join(' ')}); ` +
        `quote the prompt: perfusion generate "${positionals.join(' ')}".`,
      'generate',
    );
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const optional = <T>(name: string, parse: (name: string, text: string) => T): T | undefined => {
    const text = str(name);
    return text === undefined ? undefined : parse(name, text);
  };
  const args: { -readonly [K in keyof GenerateArgs]: GenerateArgs[K] } = {
    prompt: positionals[0]!,
    batch: optional('batch', (n, t) => parseInteger(n, t, 1)) ?? 1,
  };
  const model = optional('model', parsePath);
  if (model !== undefined) args.model = model;
  const out = optional('out', parsePngPath);
  if (out !== undefined) args.out = out;
  const steps = optional('steps', (n, t) => parseInteger(n, t, 1));
  if (steps !== undefined) args.steps = steps;
  const scheduler = optional('scheduler', (n, t) => parseChoice(n, t, SCHEDULER_NAMES));
  if (scheduler !== undefined) args.scheduler = scheduler;
  const seed = optional('seed', (n, t) => parseInteger(n, t, 0));
  if (seed !== undefined) args.seed = seed;
  const guidance = optional('guidance', (n, t) => parseNumber(n, t, 0));
  if (guidance !== undefined) args.guidance = guidance;
  const width = optional('width', parseImageSide);
  if (width !== undefined) args.width = width;
  const height = optional('height', parseImageSide);
  if (height !== undefined) args.height = height;
  const negative = str('negative');
  if (negative !== undefined) args.negative = negative;
  const noise = optional('noise', (n, t) => parseChoice(n, t, NOISE_MODES));
  if (noise !== undefined) args.noise = noise;
  const previews = optional('previews', parsePath);
  if (previews !== undefined) args.previews = previews;
  return args;
}
