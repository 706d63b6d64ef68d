import { parseArgs } from 'node:util';
import { SCHEDULER_NAMES, type SchedulerName } from '@perfusion/scheduler';
import { CliUsageError } from './errors.js';
import {
  CONCEPT_DTYPES,
  COVARIANCE_OPTIONS,
  FROM_WORDS_OPTIONS,
  GENERATE_OPTIONS,
  GLOBAL_OPTIONS,
  INSPECT_OPTIONS,
  MULTI_CONCEPT_MODES,
  NOISE_MODES,
  parseArgsOptions,
  TRAIN_DEFAULTS,
  TRAIN_OPTIONS,
  type ConceptDTypeName,
  type MultiConceptMode,
  type NoiseMode,
  type OptionSpec,
} from './options.js';
import { closest } from './suggest.js';
import {
  parseChoice,
  parseConceptSpec,
  parseImageSide,
  parseInteger,
  parseNumber,
  parsePath,
  parsePngPath,
  parsePositiveNumber,
  parseSafetensorsPath,
  type ConceptSpec,
} from './values.js';

/** The commands `perfusion` knows. */
export const COMMANDS = ['generate', 'train', 'inspect', 'covariance', 'concept'] as const;
/** The subcommands of `perfusion concept`. */
export const CONCEPT_SUBCOMMANDS = ['from-words'] as const;
/** A command or subcommand, as `perfusion help <name>` and `CliUsageError.command` name it. */
export type CommandName = (typeof COMMANDS)[number] | `concept ${(typeof CONCEPT_SUBCOMMANDS)[number]}`;

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
  /** `--concept` values, in order; absent when none was given. */
  readonly concepts?: readonly ConceptSpec[];
  readonly multiConcept?: MultiConceptMode;
  /** `--global-locking`; absent when not given. */
  readonly globalLocking?: boolean;
}

/** What `perfusion inspect` was asked to do. */
export interface InspectArgs {
  readonly file: string;
  readonly model?: string;
  readonly json: boolean;
}

/** What `perfusion covariance` was asked to do. */
export interface CovarianceArgs {
  readonly model?: string;
  readonly recompute: boolean;
}

/** What `perfusion concept from-words` was asked to do. */
export interface FromWordsArgs {
  readonly token: string;
  readonly supercategory: string;
  readonly words: string;
  /** A prompt with `{}` where the token goes; absent: the pipeline's default. */
  readonly template?: string;
  readonly model?: string;
  readonly out?: string;
  readonly dtype?: ConceptDTypeName;
}

/**
 * What `perfusion train` was asked to do. Absent numbers take the trainer's defaults
 * ({@link TRAIN_DEFAULTS}); the command fills in the paths.
 */
export interface TrainArgs {
  readonly images: string;
  readonly token: string;
  readonly supercategory: string;
  readonly model?: string;
  readonly out?: string;
  readonly steps?: number;
  readonly batch?: number;
  readonly microBatch?: number;
  /** `--lr`: the value targets' learning rate. */
  readonly lr?: number;
  readonly embeddingLr?: number;
  readonly resolution?: number;
  readonly seed?: number;
  /** `--no-flips`; absent when not given. */
  readonly noFlips?: true;
  /** `--train-keys` (the paper's ablation: keys trained instead of locked); absent when not given. */
  readonly trainKeys?: true;
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  readonly resume?: string;
  readonly samples?: string;
  readonly sampleEvery?: number;
  readonly samplePrompt?: string;
  /** `--template` values, in order; absent when none was given (the trainer's framings apply). */
  readonly templates?: readonly string[];
  /** `--force`; absent when not given. */
  readonly force?: true;
}

/** A command line, understood. */
export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'generate'; readonly args: GenerateArgs }
  | { readonly kind: 'train'; readonly args: TrainArgs }
  | { readonly kind: 'inspect'; readonly args: InspectArgs }
  | { readonly kind: 'covariance'; readonly args: CovarianceArgs }
  | { readonly kind: 'concept-from-words'; readonly args: FromWordsArgs };

type TopCommand = (typeof COMMANDS)[number];
type ConceptSubcommand = (typeof CONCEPT_SUBCOMMANDS)[number];

function isCommand(name: string): name is TopCommand {
  return (COMMANDS as readonly string[]).includes(name);
}

function isConceptSubcommand(name: string): name is ConceptSubcommand {
  return (CONCEPT_SUBCOMMANDS as readonly string[]).includes(name);
}

function unknownCommand(name: string): CliUsageError {
  const guess = closest(name, COMMANDS);
  return new CliUsageError(`Unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; commands: ${COMMANDS.join(', ')}.`);
}

function unknownSubcommand(name: string): CliUsageError {
  const guess = closest(name, CONCEPT_SUBCOMMANDS);
  return new CliUsageError(
    `Unknown subcommand "concept ${name}"${guess ? ` (did you mean concept ${guess}?)` : ''}; subcommands: ${CONCEPT_SUBCOMMANDS.map((s) => `concept ${s}`).join(', ')}.`,
    'concept',
  );
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

/** Runs a command's parser, pointing its usage errors at that command's --help. */
function forCommand<T>(command: CommandName, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CliUsageError && error.command === undefined) throw new CliUsageError(error.message, command);
    throw error;
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
  if (first === 'help') return { kind: 'help', ...helpTopic(argv.slice(1)) };
  if (!isCommand(first)) throw unknownCommand(first);
  if (first === 'concept') return parseConcept(argv.slice(1));
  const rest = argv.slice(1);
  if (wantsHelp(rest)) return { kind: 'help', command: first };
  switch (first) {
    case 'generate':
      return { kind: 'generate', args: forCommand('generate', () => parseGenerateArgs(rest)) };
    case 'train':
      return { kind: 'train', args: forCommand('train', () => parseTrainArgs(rest)) };
    case 'inspect':
      return { kind: 'inspect', args: forCommand('inspect', () => parseInspectArgs(rest)) };
    case 'covariance':
      return { kind: 'covariance', args: forCommand('covariance', () => parseCovarianceArgs(rest)) };
  }
}

/** `perfusion help [command [subcommand]]`. */
function helpTopic(words: readonly string[]): { command?: CommandName } {
  const [topic, sub] = words;
  if (topic === undefined) return {};
  if (!isCommand(topic)) throw unknownCommand(topic);
  if (topic !== 'concept' || sub === undefined) return { command: topic };
  if (!isConceptSubcommand(sub)) throw unknownSubcommand(sub);
  return { command: `concept ${sub}` };
}

/** `perfusion concept <subcommand> ...`. */
function parseConcept(argv: readonly string[]): CommandLine {
  const sub = argv[0];
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub === undefined) {
      throw new CliUsageError(`perfusion concept needs a subcommand: ${CONCEPT_SUBCOMMANDS.map((s) => `concept ${s}`).join(', ')}.`, 'concept');
    }
    return { kind: 'help', command: 'concept' };
  }
  if (sub.startsWith('-')) throw new CliUsageError(`Put the subcommand first: perfusion concept ${CONCEPT_SUBCOMMANDS[0]} [options].`, 'concept');
  if (!isConceptSubcommand(sub)) throw unknownSubcommand(sub);
  const rest = argv.slice(1);
  if (wantsHelp(rest)) return { kind: 'help', command: 'concept from-words' };
  return { kind: 'concept-from-words', args: forCommand('concept from-words', () => parseFromWordsArgs(rest)) };
}

type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Reads typed option values. */
function reader(values: OptionValues) {
  const str = (name: string): string | undefined => values[name] as string | undefined;
  return {
    str,
    flag: (name: string): boolean => values[name] === true,
    optional<T>(name: string, parse: (name: string, text: string) => T): T | undefined {
      const text = str(name);
      return text === undefined ? undefined : parse(name, text);
    },
    all: (name: string): string[] => (values[name] as string[] | undefined) ?? [],
  };
}

function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) {
    throw new CliUsageError(`perfusion ${command} takes no words outside options, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}.`);
  }
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
  const { str, flag, optional, all } = reader(values);
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
  const concepts = all('concept').map((text) => parseConceptSpec('concept', text));
  if (concepts.length > 0) args.concepts = concepts;
  const multiConcept = optional('multi-concept', (n, t) => parseChoice(n, t, MULTI_CONCEPT_MODES));
  if (multiConcept !== undefined) args.multiConcept = multiConcept;
  if (flag('global-locking')) args.globalLocking = true;
  if (concepts.length === 0 && (multiConcept !== undefined || args.globalLocking === true)) {
    const given = multiConcept !== undefined ? '--multi-concept' : '--global-locking';
    throw new CliUsageError(`${given} only applies with concepts; add --concept FILE (e.g. --concept my-cat.safetensors).`);
  }
  return args;
}

function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const { values, positionals } = parseOptions(argv, TRAIN_OPTIONS, 'train');
  if (positionals.length > 0) {
    throw new CliUsageError(
      `perfusion train takes no words outside options, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; ` +
        'quote a supercategory of several words: --supercategory "teddy bear".',
    );
  }
  const { str, flag, optional, all } = reader(values);
  const required = (name: string, example: string): string => {
    const text = str(name);
    if (text === undefined || text.trim() === '') throw new CliUsageError(`perfusion train needs --${name}, e.g. --${name} ${example}.`);
    return text;
  };
  const images = parsePath('images', required('images', 'photos/'));
  const token = required('token', '"<my-cat>"');
  if (/\s/.test(token)) throw new CliUsageError(`--token must be one word without spaces, got ${JSON.stringify(token)}; e.g. --token "<my-cat>".`);
  const supercategory = required('supercategory', 'cat').trim();
  const args: { -readonly [K in keyof TrainArgs]: TrainArgs[K] } = { images, token, supercategory };
  const integer = (name: string, min: number) => optional(name, (n, t) => parseInteger(n, t, min));
  const set = <K extends keyof TrainArgs>(key: K, value: TrainArgs[K] | undefined): void => {
    if (value !== undefined) args[key] = value;
  };
  set('model', optional('model', parsePath));
  set('out', optional('out', parseSafetensorsPath));
  set('steps', integer('steps', 1));
  set('batch', integer('batch', 1));
  set('microBatch', integer('micro-batch', 1));
  set('lr', optional('lr', parsePositiveNumber));
  set('embeddingLr', optional('embedding-lr', parsePositiveNumber));
  set('resolution', optional('resolution', parseImageSide));
  set('seed', integer('seed', 0));
  if (flag('no-flips')) args.noFlips = true;
  if (flag('train-keys')) args.trainKeys = true;
  set('checkpoint', optional('checkpoint', parseSafetensorsPath));
  set('checkpointEvery', integer('checkpoint-every', 1));
  set('resume', optional('resume', parsePath));
  set('samples', optional('samples', parsePath));
  set('sampleEvery', integer('sample-every', 1));
  set('samplePrompt', str('sample-prompt'));
  const templates = all('template');
  for (const template of templates) {
    if (template.split('{}').length !== 2) {
      throw new CliUsageError(`--template must contain {} exactly once (where the token goes), got ${JSON.stringify(template)}; e.g. --template "a photo of a {} on the left".`);
    }
  }
  if (templates.length > 0) args.templates = templates;
  if (flag('force')) args.force = true;

  const batch = args.batch ?? TRAIN_DEFAULTS.batch;
  if (args.microBatch !== undefined && batch % args.microBatch !== 0) {
    const divisors = Array.from({ length: batch }, (_, i) => i + 1).filter((d) => batch % d === 0);
    throw new CliUsageError(
      `--micro-batch ${args.microBatch} must divide the batch size ${batch}${args.batch === undefined ? ' (the default; --batch sets it)' : ''}; ` +
        `choose one of ${divisors.join(', ')}.`,
    );
  }
  if (args.samples === undefined && (args.sampleEvery !== undefined || args.samplePrompt !== undefined)) {
    const given = args.sampleEvery !== undefined ? '--sample-every' : '--sample-prompt';
    throw new CliUsageError(`${given} only applies with --samples DIR (the folder the sample images go to); add e.g. --samples samples/.`);
  }
  if (args.samplePrompt !== undefined && args.samplePrompt.split('{}').length !== 2) {
    throw new CliUsageError(`--sample-prompt must contain {} exactly once (where the token goes), got ${JSON.stringify(args.samplePrompt)}; e.g. --sample-prompt "a photo of a {} on a beach".`);
  }
  return args;
}

function parseInspectArgs(argv: readonly string[]): InspectArgs {
  const { values, positionals } = parseOptions(argv, INSPECT_OPTIONS, 'inspect');
  if (positionals.length !== 1) {
    throw new CliUsageError(
      positionals.length === 0
        ? 'perfusion inspect needs a concept file: perfusion inspect my-cat.safetensors [--model DIR] [--json].'
        : `perfusion inspect takes one concept file, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}.`,
    );
  }
  const { flag, optional } = reader(values);
  const file = parsePath('file', positionals[0]!);
  const model = optional('model', parsePath);
  return { file, ...(model !== undefined && { model }), json: flag('json') };
}

function parseCovarianceArgs(argv: readonly string[]): CovarianceArgs {
  const { values, positionals } = parseOptions(argv, COVARIANCE_OPTIONS, 'covariance');
  noPositionals('covariance', positionals);
  const { flag, optional } = reader(values);
  const model = optional('model', parsePath);
  return { ...(model !== undefined && { model }), recompute: flag('recompute') };
}

function parseFromWordsArgs(argv: readonly string[]): FromWordsArgs {
  const { values, positionals } = parseOptions(argv, FROM_WORDS_OPTIONS, 'concept from-words');
  if (positionals.length > 0) {
    throw new CliUsageError(
      `perfusion concept from-words takes no words outside options, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; ` +
        'quote a phrase of several words: --words "tabby cat".',
    );
  }
  const { str, optional } = reader(values);
  const required = (name: string, example: string): string => {
    const text = str(name);
    if (text === undefined || text.trim() === '') throw new CliUsageError(`perfusion concept from-words needs --${name}, e.g. --${name} ${example}.`);
    return text;
  };
  const token = required('token', '"<my-cat>"');
  if (/\s/.test(token)) throw new CliUsageError(`--token must be one word without spaces, got ${JSON.stringify(token)}; e.g. --token "<my-cat>".`);
  const supercategory = required('supercategory', 'cat');
  const words = required('words', '"tabby cat"');
  const args: { -readonly [K in keyof FromWordsArgs]: FromWordsArgs[K] } = { token, supercategory: supercategory.trim(), words: words.trim() };
  const template = str('template');
  if (template !== undefined) {
    if (template.split('{}').length !== 2) {
      throw new CliUsageError(`--template must contain {} exactly once (where the token goes), got ${JSON.stringify(template)}; e.g. --template "a photo of a {}".`);
    }
    args.template = template;
  }
  const model = optional('model', parsePath);
  if (model !== undefined) args.model = model;
  const out = optional('out', parseSafetensorsPath);
  if (out !== undefined) args.out = out;
  const dtype = optional('dtype', (n, t) => parseChoice(n, t, CONCEPT_DTYPES));
  if (dtype !== undefined) args.dtype = dtype;
  return args;
}
