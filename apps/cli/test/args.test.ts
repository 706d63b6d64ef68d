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
  ])('%j → %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it('takes --help after a -- terminator as the prompt', () => {
    expect(parseCommandLine(['generate', '--', '--help'])).toEqual({ kind: 'generate', args: { prompt: '--help', batch: 1 } });
  });

  it.each([
    [[], /No command given; commands: generate/],
    [['generat'], /Unknown command "generat" \(did you mean generate\?\); commands: generate/],
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
    [['generate', 'x', '--frobnicate'], /Unknown option --frobnicate for perfusion generate; options: .*--previews, --help\./],
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
