import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPng } from '@perfusion/encoders';
import { SCHEDULER_NAMES } from '@perfusion/scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { COVARIANCE_OPTIONS, FROM_WORDS_OPTIONS, GENERATE_OPTIONS, INSPECT_OPTIONS, type OptionSpec } from '../src/options.js';
import { runBin, tempDir } from './helpers/run-bin.js';

const root = tempDir('bin');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const stepLines = (stderr: string): string[] => stderr.split('\n').filter((l) => /^step \d+\/\d+ t=\d+/.test(l));

describe('perfusion generate (child process, toy default model)', () => {
  it('writes a PNG of the requested size and one preview per step', async () => {
    const out = path.join(root, 'one', 'cat.png');
    const previews = path.join(root, 'one-previews');
    const r = await runBin(['generate', 'a red cat', '--seed', '3', '--steps', '4', '--scheduler', 'ddim', '--width', '64', '--height', '48', '--out', out, '--previews', previews]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);

    const image = await readPng(out);
    expect([image.width, image.height]).toEqual([64, 48]);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['cat.png']); // no temporary file left beside it

    expect(fs.readdirSync(previews).sort()).toEqual(['step-000.png', 'step-001.png', 'step-002.png', 'step-003.png']);
    for (const file of fs.readdirSync(previews)) {
      const preview = await readPng(path.join(previews, file));
      expect([preview.width, preview.height]).toEqual([16, 12]); // latent resolution (the toy VAE downsamples by 4)
    }

    // Not a terminal: plain lines, one per step, in order; no redraws.
    expect(stepLines(r.stderr).map((l) => l.split(' ')[1])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^model: .*toymodel\/model \(default model: the toy-world model/m);
    expect(r.stderr).toMatch(/^seed 3, 4 steps, 64x48, scheduler ddim, guidance 4$/m);
    expect(r.stderr).toMatch(/^done: 4 steps in [\d.]+ s \([\d.]+ (it\/s|s\/it)\)$/m);
  });

  it('writes as many previews as the pipeline emits steps (PNDM: steps + 1)', async () => {
    const previews = path.join(root, 'pndm-previews');
    const r = await runBin(['generate', 'a red cat', '--seed', '1', '--steps', '3', '--scheduler', 'pndm', '--out', path.join(root, 'pndm.png'), '--previews', previews]);
    expect(r.code, r.stderr).toBe(0);
    const total = Number(/^seed 1, (\d+) steps, .*scheduler pndm/m.exec(r.stderr)?.[1]);
    expect(total).toBe(4);
    expect(stepLines(r.stderr)).toHaveLength(total);
    expect(fs.readdirSync(previews).sort()).toEqual(Array.from({ length: total }, (_, i) => `step-00${i}.png`));
  });

  it('numbers the images of a batch, and the same seed gives the same bytes', async () => {
    const first = path.join(root, 'batch', 'cats.png');
    const a = await runBin(['generate', 'two cats', '--seed', '9', '--steps', '2', '--batch', '2', '--out', first]);
    expect(a.code, a.stderr).toBe(0);
    const written = [path.join(root, 'batch', 'cats-0.png'), path.join(root, 'batch', 'cats-1.png')];
    expect(a.stdout.trim().split('\n')).toEqual(written);
    expect(fs.readdirSync(path.join(root, 'batch')).sort()).toEqual(['cats-0.png', 'cats-1.png']);
    const again = path.join(root, 'again', 'cats.png');
    const b = await runBin(['generate', 'two cats', '--seed', '9', '--steps', '2', '--batch', '2', '--out', again]);
    expect(b.code, b.stderr).toBe(0);
    expect(fs.readFileSync(path.join(root, 'again', 'cats-1.png'))).toEqual(fs.readFileSync(written[1]!));
    expect(fs.readFileSync(written[0]!)).not.toEqual(fs.readFileSync(written[1]!));
  });

  it('names the default output after the seed, in the working directory', async () => {
    const cwd = path.join(root, 'cwd');
    fs.mkdirSync(cwd);
    const r = await runBin(['generate', 'a cat', '--seed', '77', '--steps', '1', '--scheduler', 'euler'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('perfusion-77.png\n');
    expect(fs.existsSync(path.join(cwd, 'perfusion-77.png'))).toBe(true);
  });

  it('prints the truncation warning for a prompt over 77 tokens', async () => {
    const prompt = `${'a red star '.repeat(30)}on a blue background`; // 94 words, each one token
    const r = await runBin(['generate', prompt, '--seed', '1', '--steps', '1', '--scheduler', 'ddim', '--out', path.join(root, 'long.png')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*77 tokens.*"[a-z ]*on a blue background"$/m);
  });
});

describe('perfusion help and errors (child process)', () => {
  it('documents every option of generate, with examples', async () => {
    const r = await runBin(['generate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const names = ['model', 'out', 'steps', 'scheduler', 'seed', 'guidance', 'width', 'height', 'negative', 'noise', 'batch', 'previews', 'concept', 'multi-concept', 'global-locking', 'help'];
    for (const name of names) {
      expect(r.stdout).toMatch(new RegExp(`^ +(-\\w, )?--${name}\\b`, 'm'));
    }
    expect(GENERATE_OPTIONS.map((o) => o.name).sort()).toEqual([...names].sort());
    expect(r.stdout).toContain('--concept FILE[:BETA[:TAU]]');
    expect(r.stdout).toContain('--concept my-cat.safetensors:0.5:0.2');
    for (const scheduler of SCHEDULER_NAMES) expect(r.stdout).toContain(scheduler);
    expect(r.stdout).toContain('default | torch');
    expect(r.stdout).toMatch(/Examples:\n {2}# the embedded default model/);
    expect(r.stdout).toMatch(/130 +cancelled with Ctrl-C/);
  });

  it('lists the commands in the global help', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const r = await runBin(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: perfusion <command> \[options\]/);
      expect(r.stdout).toMatch(/^ {2}generate "prompt" /m);
      for (const command of ['train', 'inspect FILE', 'covariance', 'concept from-words', 'help \\[command\\]']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    }
  });

  it.each([
    [['inspect', '--help'], 'Usage: perfusion inspect FILE', INSPECT_OPTIONS],
    [['help', 'covariance'], 'Usage: perfusion covariance', COVARIANCE_OPTIONS],
    [['concept', 'from-words', '--help'], 'Usage: perfusion concept from-words', FROM_WORDS_OPTIONS],
    [['help', 'concept', 'from-words'], 'Usage: perfusion concept from-words', FROM_WORDS_OPTIONS],
    [['concept', '--help'], 'Usage: perfusion concept <subcommand>', []],
  ] as [string[], string, readonly OptionSpec[]][])('%j documents every option, with examples', async (argv, usage, options) => {
    const r = await runBin(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(usage)).toBe(true);
    for (const option of options) expect(r.stdout).toMatch(new RegExp(`^ +(-\\w, )?--${option.name}\\b`, 'm'));
    expect(r.stdout).toMatch(/\nExamples:\n {2}perfusion /);
    expect(r.stdout).toMatch(/^Exit codes:$/m);
  });

  it.each([
    [['inpsect', 'x.safetensors'], /^perfusion: Unknown command "inpsect" \(did you mean inspect\?\); commands: generate, train, inspect, covariance, concept\.\nRun perfusion --help for usage\.\n$/],
    [['concept', 'from-wrds'], /^perfusion: Unknown subcommand "concept from-wrds" \(did you mean concept from-words\?\).*\nRun perfusion concept --help for usage\.\n$/],
    [['covariance', '--recompte'], /^perfusion: Unknown option --recompte for perfusion covariance \(did you mean --recompute\?\).*\nRun perfusion covariance --help for usage\.\n$/],
    [['inspect', 'x.safetensors', '--jsn'], /^perfusion: Unknown option --jsn for perfusion inspect \(did you mean --json\?\)/],
  ])('%j exits 2 with a suggestion', async (argv, message) => {
    const r = await runBin(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 with a message for a bad value, before loading anything', async () => {
    const r = await runBin(['generate', 'a cat', '--scheduler', 'fast']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`perfusion: --scheduler must be one of ${SCHEDULER_NAMES.join(', ')}; got "fast".\nRun perfusion generate --help for usage.\n`);
  });

  it('exits 2 for a --model folder that does not exist or is not a model', async () => {
    const missing = await runBin(['generate', 'a cat', '--model', path.join(root, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--model .*nowhere: no such folder/);
    const empty = path.join(root, 'empty-model');
    fs.mkdirSync(empty);
    const notModel = await runBin(['generate', 'a cat', '--model', empty]);
    expect(notModel.code).toBe(2);
    expect(notModel.stderr).toMatch(/is not a usable model folder: missing model_index\.json/);
  });

  it('exits 2 when the pipeline rejects the request', async () => {
    const r = await runBin(['generate', 'a cat', '--steps', '5000', '--out', path.join(root, 'never.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/request\.steps/);
    expect(fs.existsSync(path.join(root, 'never.png'))).toBe(false);
  });
});
