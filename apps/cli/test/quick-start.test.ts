import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
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

  it.each(commands.map((c) => [c.line, c.argv] as const))('%s parses', (_line, argv) => {
    expect(() => parseCommandLine(argv)).not.toThrow();
  });

  // The commands on the default model run as written, each in a fresh working directory.
  const runnable = commands.filter((c) => !c.argv.includes('--model'));
  it.each(runnable.map((c) => [c.line, c.argv] as const))('%s runs', async (line, argv) => {
    const cwd = fs.mkdtempSync(path.join(root, 'run-'));
    const r = await runBin(argv, { cwd });
    expect(r.code, r.stderr).toBe(0);
    const parsed = parseCommandLine(argv);
    if (parsed.kind !== 'generate') return;
    const { out, batch, width, height, previews, steps } = parsed.args;
    expect(out, `${line} should name its output`).toBeDefined();
    const written = imagePaths(out!, batch);
    expect(r.stdout.trim().split('\n')).toEqual(written);
    for (const file of written) {
      const image = await readPng(path.join(cwd, file));
      expect([image.width, image.height]).toEqual([width ?? 64, height ?? 64]);
    }
    if (previews !== undefined) expect(fs.readdirSync(path.join(cwd, previews))).toHaveLength(steps!);
  });
});
