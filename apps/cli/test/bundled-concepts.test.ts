import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPng } from '@perfusion/encoders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.js';
import { bundledConcepts } from '../src/bundled-concepts.js';
import { ensureDefaultModel } from '../src/default-model.js';
import { EXIT_OK } from '../src/exit-codes.js';
import { runCli } from '../src/cli.js';
import { runGenerate } from '../src/generate-command.js';
import { fakeIo } from './helpers/fake-io.js';
import { tempDir } from './helpers/run-bin.js';

// The concepts shipped beside the default model, looked for in a folder of the test's own (a
// concept made from words on the default model) rather than in @perfusion/toymodel's concepts/.

const root = tempDir('bundled');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const bundled = path.join(root, 'bundled');
const STAR = path.join(bundled, 'test-star.safetensors');
const JUNK = path.join(bundled, 'junk.safetensors');
const PROMPT = 'a photo of a <test-star> on an orange background';

beforeAll(async () => {
  fs.mkdirSync(bundled);
  const made = fakeIo({ tty: false });
  const code = await runCli(['concept', 'from-words', '--token', '<test-star>', '--supercategory', 'star', '--words', 'yellow star', '--out', STAR], made.io);
  expect(code, made.output().stderr).toBe(EXIT_OK);
  fs.writeFileSync(JUNK, 'not a concept');
  fs.writeFileSync(path.join(bundled, 'notes.txt'), 'not a concept file either');
});

describe('bundledConcepts', () => {
  it('finds none in a missing or empty folder', async () => {
    expect(await bundledConcepts(path.join(root, 'nowhere'), PROMPT)).toEqual({ concepts: [], unreadable: [] });
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    expect(await bundledConcepts(empty, PROMPT)).toEqual({ concepts: [], unreadable: [] });
  });

  it('gives the concepts whose token the prompt contains, and lists the files that are not concepts', async () => {
    const found = await bundledConcepts(bundled, PROMPT);
    expect(found.concepts).toEqual([{ file: STAR, token: '<test-star>' }]);
    expect(found.unreadable).toEqual([{ file: JUNK, message: expect.stringMatching(/junk\.safetensors/) }]);
    expect((await bundledConcepts(bundled, 'a large red star in the center, blue background')).concepts).toEqual([]);
  });

  it('leaves out a concept whose token a --concept file has', async () => {
    expect((await bundledConcepts(bundled, PROMPT, ['<test-star>'])).concepts).toEqual([]);
    expect((await bundledConcepts(bundled, PROMPT, ['<other>'])).concepts).toEqual([{ file: STAR, token: '<test-star>' }]);
  });
});

describe('perfusion generate with the bundled concepts', () => {
  /** `perfusion generate <argv>` in-process, its bundled concepts looked for in the test's folder. */
  async function generate(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const line = parseCommandLine(['generate', ...argv, '--steps', '2', '--scheduler', 'ddim', '--seed', '1']);
    if (line.kind !== 'generate') throw new Error(`not a generate command: ${argv.join(' ')}`);
    const fake = fakeIo({ tty: false });
    const code = await runGenerate(line.args, fake.io, { bundledConceptsDir: bundled });
    return { code, ...fake.output() };
  }
  const conceptLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('concept'));

  it('uses a bundled concept whose token is in the prompt, with the β and τ of its file, and says so', async () => {
    const out = path.join(root, 'bundled.png');
    const r = await generate([PROMPT, '--out', out]);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(conceptLines(r.stderr)).toEqual([
      `concept: <test-star> (bundled with the default model: ${STAR})`,
      `concept <test-star> (supercategory star) from ${STAR}: beta 0.7 (file), tau 0.15 (file)`,
    ]);
    expect(r.stderr).toMatch(/^warning: .*junk\.safetensors beside the default model is not a usable concept file, so it is left out: /m);
    expect((await readPng(out)).width).toBe(64);
  });

  it('prefers the --concept file, and uses none without the token or with --model', async () => {
    const given = await generate([PROMPT, '--concept', `${STAR}:0.5`, '--out', path.join(root, 'given.png')]);
    expect(given.code, given.stderr).toBe(EXIT_OK);
    expect(conceptLines(given.stderr)).toEqual([`concept <test-star> (supercategory star) from ${STAR}: beta 0.5, tau 0.15 (file)`]);

    const plain = await generate(['a large red star in the center, blue background', '--out', path.join(root, 'plain.png')]);
    expect(plain.code, plain.stderr).toBe(EXIT_OK);
    expect(conceptLines(plain.stderr)).toEqual([]);

    const withModel = await generate([PROMPT, '--model', (await ensureDefaultModel()).dir, '--out', path.join(root, 'model.png')]);
    expect(withModel.code, withModel.stderr).toBe(EXIT_OK);
    expect(conceptLines(withModel.stderr)).toEqual([]);
    expect(withModel.stderr).not.toContain('junk.safetensors');
  });

  it('generates with the default model’s own guidance unless --guidance says otherwise', async () => {
    const startLine = (stderr: string): string | undefined => stderr.split('\n').find((l) => l.startsWith('seed '));
    const own = await generate(['a large red star in the center, blue background', '--steps', '2', '--out', path.join(root, 'own.png')]);
    expect(own.code, own.stderr).toBe(EXIT_OK);
    expect(startLine(own.stderr)).toMatch(new RegExp(`guidance ${(await ensureDefaultModel()).guidanceScale}$`));
    const asked = await generate(['a large red star in the center, blue background', '--steps', '2', '--guidance', '6', '--out', path.join(root, 'asked.png')]);
    expect(startLine(asked.stderr)).toMatch(/guidance 6$/);
    // A model folder given by path is not the embedded default: SD's usual 7.5.
    const byPath = await generate(['a large red star in the center, blue background', '--steps', '2', '--model', (await ensureDefaultModel()).dir, '--out', path.join(root, 'path.png')]);
    expect(startLine(byPath.stderr)).toMatch(/guidance 7\.5$/);
  });
});
