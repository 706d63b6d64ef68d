import { SCHEDULER_NAMES } from '@perfusion/scheduler';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.js';
import { CliUsageError } from '../src/errors.js';

function usageError(argv: string[]): CliUsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    return error as CliUsageError;
  }
  throw new Error(`parseCommandLine(${JSON.stringify(argv)}) did not throw`);
}

describe('parseCommandLine: commands and help', () => {
  it.each([
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['help', 'generate'], { kind: 'help', command: 'generate' }],
    [['generate', '--help'], { kind: 'help', command: 'generate' }],
    [['generate', 'a cat', '--steps', 'many', '-h'], { kind: 'help', command: 'generate' }],
    [['--version'], { kind: 'version' }],
    [['inspect', '--help'], { kind: 'help', command: 'inspect' }],
    [['help', 'covariance'], { kind: 'help', command: 'covariance' }],
    [['concept', '--help'], { kind: 'help', command: 'concept' }],
    [['help', 'concept'], { kind: 'help', command: 'concept' }],
    [['help', 'concept', 'from-words'], { kind: 'help', command: 'concept from-words' }],
    [['concept', 'from-words', '--token', 'x', '-h'], { kind: 'help', command: 'concept from-words' }],
  ])('%j → %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it('takes --help after a -- terminator as the prompt', () => {
    expect(parseCommandLine(['generate', '--', '--help'])).toEqual({ kind: 'generate', args: { prompt: '--help', batch: 1 } });
  });

  it.each([
    [[], /No command given; commands: generate, train, inspect, covariance, concept\./],
    [['generat'], /Unknown command "generat" \(did you mean generate\?\); commands: generate/],
    [['inspct', 'x.safetensors'], /Unknown command "inspct" \(did you mean inspect\?\)/],
    [['covarance'], /Unknown command "covarance" \(did you mean covariance\?\)/],
    [['paint', 'a cat'], /Unknown command "paint"; commands: generate/],
    [['help', 'paint'], /Unknown command "paint"/],
    [['--colour'], /Unknown option --colour for perfusion; options: --help, --version/],
  ])('rejects %j', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });
});

describe('parseCommandLine: generate', () => {
  it('reads a prompt alone, with only the batch size defaulted', () => {
    expect(parseCommandLine(['generate', 'a red cat'])).toEqual({ kind: 'generate', args: { prompt: 'a red cat', batch: 1 } });
  });

  it('reads every option', () => {
    const line = parseCommandLine([
      'generate',
      'a fox',
      '--model',
      'models/sd15',
      '--steps',
      '25',
      '--scheduler',
      'dpm++2m-karras',
      '--seed',
      '0',
      '--guidance',
      '7.5',
      '--width',
      '512',
      '--height=768',
      '--negative',
      'blurry, lowres',
      '--noise',
      'numpy',
      '--batch',
      '3',
      '--out',
      'out/fox.PNG',
      '--previews',
      'previews',
    ]);
    expect(line).toEqual({
      kind: 'generate',
      args: {
        prompt: 'a fox',
        model: 'models/sd15',
        steps: 25,
        scheduler: 'dpm++2m-karras',
        seed: 0,
        guidance: 7.5,
        width: 512,
        height: 768,
        negative: 'blurry, lowres',
        noise: 'numpy',
        batch: 3,
        out: 'out/fox.PNG',
        previews: 'previews',
      },
    });
  });

  it('reads short options and options before the prompt', () => {
    expect(parseCommandLine(['generate', '-s', '4', '-o', 'x.png', '-m', 'dir', 'a cat'])).toEqual({
      kind: 'generate',
      args: { prompt: 'a cat', steps: 4, out: 'x.png', model: 'dir', batch: 1 },
    });
  });

  it('accepts every scheduler of the registry', () => {
    for (const name of SCHEDULER_NAMES) {
      expect(parseCommandLine(['generate', 'x', '--scheduler', name])).toMatchObject({ args: { scheduler: name } });
    }
  });

  it('accepts a guidance of 0 and an empty negative prompt', () => {
    expect(parseCommandLine(['generate', 'x', '--guidance', '0', '--negative', ''])).toMatchObject({ args: { guidance: 0, negative: '' } });
  });

  it.each([
    [['generate'], /needs a prompt: perfusion generate "a red cat on a sofa"/],
    [['generate', 'a', 'red', 'cat'], /takes one prompt but got 3 words.*quote the prompt: perfusion generate "a red cat"/],
    [['generate', 'x', '--stpes', '4'], /Unknown option --stpes for perfusion generate \(did you mean --steps\?\); options: --model, --out, --steps/],
    [['generate', 'x', '--frobnicate'], /Unknown option --frobnicate for perfusion generate; options: .*--previews, --concept, --multi-concept, --global-locking, --help\./],
    [['generate', 'x', '--steps'], /--steps <value>' argument missing/],
    [['generate', 'x', '--steps', '0'], /--steps must be an integer >= 1, got "0"/],
    [['generate', 'x', '--steps', '2.5'], /--steps must be an integer >= 1, got "2.5"/],
    [['generate', 'x', '--steps', 'ten'], /--steps must be an integer >= 1, got "ten"/],
    [['generate', 'x', '--seed=-1'], /--seed must be an integer >= 0, got "-1"/],
    [['generate', 'x', '--seed', '1e3'], /--seed must be an integer >= 0, got "1e3"/],
    [['generate', 'x', '--seed', '99999999999999999999'], /--seed must be an integer >= 0/],
    [['generate', 'x', '--guidance', 'strong'], /--guidance must be a number >= 0, got "strong"/],
    [['generate', 'x', '--guidance=-1'], /--guidance must be a number >= 0, got "-1"/],
    [['generate', 'x', '--guidance', 'Infinity'], /--guidance must be a number >= 0/],
    [['generate', 'x', '--width', '500'], /--width must be a positive multiple of 8 pixels, got "500" \(the nearest are 496 and 504\)/],
    [['generate', 'x', '--height', '0'], /--height must be a positive multiple of 8 pixels, got "0"/],
    [['generate', 'x', '--scheduler', 'euler_a'], new RegExp(`--scheduler must be one of ${SCHEDULER_NAMES.join(', ').replace(/[+]/g, '\\+')}; got "euler_a"`)],
    [['generate', 'x', '--noise', 'cuda'], /--noise must be one of default, torch, numpy; got "cuda"/],
    [['generate', 'x', '--batch', '0'], /--batch must be an integer >= 1, got "0"/],
    [['generate', 'x', '--out', 'image.jpg'], /--out must name a \.png file, got "image\.jpg"/],
    [['generate', 'x', '--model', ''], /--model needs a path/],
    [['generate', 'x', '--negative', '-blurry'], /'--negative' argument is ambiguous.*--negative=-XYZ/],
  ])('rejects %j', (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toMatch(message);
    expect(error.command).toBe('generate');
  });
});

describe('parseCommandLine: generate with concepts', () => {
  const concepts = (...values: string[]) => {
    const line = parseCommandLine(['generate', 'a photo of <my-cat>', ...values.flatMap((v) => ['--concept', v])]);
    if (line.kind !== 'generate') throw new Error(line.kind);
    return line.args.concepts;
  };

  it('reads FILE, FILE:BETA, FILE:BETA:TAU and FILE::TAU, in order', () => {
    expect(concepts('cat.safetensors')).toEqual([{ file: 'cat.safetensors' }]);
    expect(concepts('cat.safetensors:0.3')).toEqual([{ file: 'cat.safetensors', beta: 0.3 }]);
    expect(concepts('dir/cat.safetensors:2.0:0.05')).toEqual([{ file: 'dir/cat.safetensors', beta: 2, tau: 0.05 }]);
    expect(concepts('cat.safetensors::0.2')).toEqual([{ file: 'cat.safetensors', tau: 0.2 }]);
    expect(concepts('cat.safetensors:-0.5:')).toEqual([{ file: 'cat.safetensors', beta: -0.5 }]);
    expect(concepts('C:\\concepts\\cat.safetensors:0.6')).toEqual([{ file: 'C:\\concepts\\cat.safetensors', beta: 0.6 }]);
    expect(concepts('a.safetensors', 'b.safetensors:0.5:0.1')).toEqual([{ file: 'a.safetensors' }, { file: 'b.safetensors', beta: 0.5, tau: 0.1 }]);
  });

  it('reads -c, --multi-concept and --global-locking', () => {
    expect(parseCommandLine(['generate', '<a> and <b>', '-c', 'a.safetensors', '-c', 'b.safetensors', '--multi-concept', 'exact', '--global-locking'])).toEqual({
      kind: 'generate',
      args: { prompt: '<a> and <b>', batch: 1, concepts: [{ file: 'a.safetensors' }, { file: 'b.safetensors' }], multiConcept: 'exact', globalLocking: true },
    });
  });

  it('leaves concepts out of a plain generation', () => {
    expect(parseCommandLine(['generate', 'a cat'])).toEqual({ kind: 'generate', args: { prompt: 'a cat', batch: 1 } });
  });

  it.each([
    [['--concept', ''], /--concept needs a concept file: FILE, FILE:BETA, FILE:BETA:TAU or FILE::TAU/],
    [['--concept', ':0.5'], /--concept needs a concept file/],
    [['--concept', 'cat.safetensors:high'], /--concept "cat\.safetensors:high": BETA \(the gate's bias\) must be a number, got "high"; write FILE, FILE:BETA/],
    [['--concept', 'cat.safetensors:0.5:0'], /--concept "cat\.safetensors:0\.5:0": TAU \(the gate's temperature\) must be a number > 0, got "0"/],
    [['--concept', 'cat.safetensors:0.5:-1'], /TAU \(the gate's temperature\) must be a number > 0, got "-1"/],
    [['--concept', 'cat.safetensors:0.5:Infinity'], /TAU .* must be a number > 0, got "Infinity"/],
    [['--concept', 'cat.safetensors:NaN'], /BETA .* must be a number, got "NaN"/],
    [['--concept', 'cat.safetensors: 0.5'], /BETA .* must be a number, got " 0\.5"/],
    [['--concept', 'cat.safetensors:0.5:0.1:3'], /has 3 values after the file; write FILE, FILE:BETA, FILE:BETA:TAU or FILE::TAU .*rename or link it/],
    [['--multi-concept', 'exact'], /--multi-concept only applies with concepts; add --concept FILE/],
    [['--global-locking'], /--global-locking only applies with concepts/],
    [['--concept', 'a.safetensors', '--multi-concept', 'product'], /--multi-concept must be one of sum, exact; got "product"/],
    [['--concpet', 'a.safetensors'], /Unknown option --concpet for perfusion generate \(did you mean --concept\?\)/],
    [['--global-locking=yes', '--concept', 'a.safetensors'], /--global-locking' does not take an argument/],
  ])('rejects %j', (extra, message) => {
    const error = usageError(['generate', 'a photo of <my-cat>', ...extra]);
    expect(error.message).toMatch(message);
    expect(error.command).toBe('generate');
  });
});

describe('parseCommandLine: inspect, covariance, concept from-words', () => {
  it('reads inspect FILE with --model and --json', () => {
    expect(parseCommandLine(['inspect', 'cat.safetensors'])).toEqual({ kind: 'inspect', args: { file: 'cat.safetensors', json: false } });
    expect(parseCommandLine(['inspect', '--json', 'cat.safetensors', '-m', 'models/sd15'])).toEqual({
      kind: 'inspect',
      args: { file: 'cat.safetensors', model: 'models/sd15', json: true },
    });
  });

  it('reads covariance with --model and --recompute', () => {
    expect(parseCommandLine(['covariance'])).toEqual({ kind: 'covariance', args: { recompute: false } });
    expect(parseCommandLine(['covariance', '--model', 'sd15', '--recompute'])).toEqual({ kind: 'covariance', args: { model: 'sd15', recompute: true } });
  });

  it('reads concept from-words with every option', () => {
    expect(
      parseCommandLine(['concept', 'from-words', '--token', '<my-cat>', '--supercategory', 'cat', '--words', ' tabby cat ', '-m', 'sd15', '-o', 'out/cat.safetensors', '--dtype', 'float16']),
    ).toEqual({
      kind: 'concept-from-words',
      args: { token: '<my-cat>', supercategory: 'cat', words: 'tabby cat', model: 'sd15', out: 'out/cat.safetensors', dtype: 'float16' },
    });
    expect(parseCommandLine(['concept', 'from-words', '--token', '<x>', '--supercategory', 'dog', '--words', 'corgi'])).toEqual({
      kind: 'concept-from-words',
      args: { token: '<x>', supercategory: 'dog', words: 'corgi' },
    });
  });

  const fromWords = ['concept', 'from-words', '--token', '<my-cat>', '--supercategory', 'cat', '--words', 'tabby cat'];
  it.each([
    [['inspect'], 'inspect', /perfusion inspect needs a concept file: perfusion inspect my-cat\.safetensors/],
    [['inspect', 'a.safetensors', 'b.safetensors'], 'inspect', /takes one concept file, got 2/],
    [['inspect', 'a.safetensors', '--modle', 'x'], 'inspect', /Unknown option --modle for perfusion inspect \(did you mean --model\?\); options: --model, --json, --help\./],
    [['covariance', 'sd15'], 'covariance', /perfusion covariance takes no words outside options, got "sd15"/],
    [['covariance', '--recompute=no'], 'covariance', /--recompute' does not take an argument/],
    [['concept'], 'concept', /perfusion concept needs a subcommand: concept from-words/],
    [['concept', 'from-word'], 'concept', /Unknown subcommand "concept from-word" \(did you mean concept from-words\?\)/],
    [['concept', '--token', 'x'], 'concept', /Put the subcommand first: perfusion concept from-words/],
    [['help', 'concept', 'to-words'], 'concept', /Unknown subcommand "concept to-words"/],
    [['concept', 'from-words', '--supercategory', 'cat', '--words', 'tabby cat'], 'concept from-words', /needs --token, e\.g\. --token "<my-cat>"/],
    [['concept', 'from-words', '--token', '<my-cat>', '--words', 'tabby cat'], 'concept from-words', /needs --supercategory, e\.g\. --supercategory cat/],
    [['concept', 'from-words', '--token', '<my-cat>', '--supercategory', 'cat'], 'concept from-words', /needs --words, e\.g\. --words "tabby cat"/],
    [['concept', 'from-words', '--token', 'my cat', '--supercategory', 'cat', '--words', 'x'], 'concept from-words', /--token must be one word without spaces, got "my cat"/],
    [[...fromWords, 'extra'], 'concept from-words', /takes no words outside options, got "extra"; quote a phrase/],
    [[...fromWords, '--out', 'cat.bin'], 'concept from-words', /--out must name a \.safetensors file, got "cat\.bin"/],
    [[...fromWords, '--dtype', 'bfloat16'], 'concept from-words', /--dtype must be one of float32, float16; got "bfloat16"/],
    [[...fromWords, '--word', 'x'], 'concept from-words', /Unknown option --word for perfusion concept from-words \(did you mean --words\?\)/],
  ])('rejects %j', (argv, command, message) => {
    const error = usageError(argv);
    expect(error.message).toMatch(message);
    expect(error.command).toBe(command);
  });
});
