import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConcept } from '@perfusion/concept-format';
import { readPng } from '@perfusion/encoders';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.js';
import { imagePaths } from '../src/output-paths.js';
import { runBin, tempDir } from './helpers/run-bin.js';
import { shellWords } from './helpers/shell-words.js';

const doc = fs.readFileSync(fileURLToPath(new URL('../../../docs/quick-start.md', import.meta.url)), 'utf8');
const shellBlocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Every `npx perfusion ...` command the quick start shows, as the words after `perfusion`. */
const commands = shellBlocks
  .flatMap((block) => block.replace(/\\\n/g, ' ').split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line.startsWith('npx perfusion '))
  .map((line) => ({ line, argv: shellWords(line).slice(2) }));

const root = tempDir('quick-start');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('docs/quick-start.md', () => {
  it('shows generate commands with the default model, with --model, with previews and a batch', () => {
    const lines = commands.map((c) => c.line);
    expect(lines.some((l) => l.startsWith('npx perfusion generate') && !l.includes('--model'))).toBe(true);
    expect(lines.some((l) => l.includes('--model sd15-onnx'))).toBe(true);
    expect(lines.some((l) => l.includes('--previews'))).toBe(true);
    expect(lines.some((l) => l.includes('--batch'))).toBe(true);
  });

  it('shows every concept command, on the default model and on sd15-onnx', () => {
    const kinds = commands.map((c) => ({ kind: parseCommandLine(c.argv).kind, model: c.argv.includes('--model'), line: c.line }));
    for (const kind of ['concept-from-words', 'inspect', 'covariance'] as const) {
      expect(kinds.some((k) => k.kind === kind && !k.model), kind).toBe(true);
      expect(kinds.some((k) => k.kind === kind && k.model), kind).toBe(true);
    }
    const withConcepts = kinds.filter((k) => k.kind === 'generate' && k.line.includes('--concept'));
    expect(withConcepts.some((k) => /--concept \S+:[\d.]+:[\d.]+/.test(k.line))).toBe(true); // beta and tau
    expect(withConcepts.some((k) => k.line.match(/--concept /g)!.length === 2 && k.line.includes('--multi-concept exact'))).toBe(true);
    expect(withConcepts.some((k) => k.line.includes('--global-locking'))).toBe(true);
  });

  it.each(commands.map((c) => [c.line, c.argv] as const))('%s parses', (_line, argv) => {
    expect(() => parseCommandLine(argv)).not.toThrow();
  });

  // The commands on the default model run as written and in the order shown, in one working
  // directory (the concept commands use the files the earlier ones wrote).
  const cwd = path.join(root, 'work');
  fs.mkdirSync(cwd);
  const runnable = commands.filter((c) => !c.argv.includes('--model'));
  it.each(runnable.map((c) => [c.line, c.argv] as const))('%s runs', async (line, argv) => {
    const r = await runBin(argv, { cwd });
    expect(r.code, r.stderr).toBe(0);
    const parsed = parseCommandLine(argv);
    switch (parsed.kind) {
      case 'generate': {
        const { out, batch, width, height, previews, steps } = parsed.args;
        expect(out, `${line} should name its output`).toBeDefined();
        const written = imagePaths(out!, batch);
        expect(r.stdout.trim().split('\n')).toEqual(written);
        for (const file of written) {
          const image = await readPng(path.join(cwd, file));
          expect([image.width, image.height]).toEqual([width ?? 64, height ?? 64]);
        }
        if (previews !== undefined) expect(fs.readdirSync(path.join(cwd, previews))).toHaveLength(steps!);
        break;
      }
      case 'concept-from-words': {
        expect(parsed.args.out, `${line} should name its output`).toBeDefined();
        expect(r.stdout).toBe(`${parsed.args.out}\n`);
        expect((await readConcept(path.join(cwd, parsed.args.out!))).token).toBe(parsed.args.token);
        break;
      }
      case 'inspect':
        expect(r.stdout).toMatch(/^compatible with the default model /m);
        break;
      case 'covariance':
        expect(r.stdout).toMatch(/^stored in +\S+\.safetensors$/m);
        break;
      case 'help':
        expect(r.stdout).toMatch(/^Usage: perfusion /);
        break;
      default:
        throw new Error(`${line}: no check for ${parsed.kind}`);
    }
  });
});
