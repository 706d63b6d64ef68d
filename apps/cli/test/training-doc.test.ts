import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readConcept } from '@perfusion/concept-format';
import { readPng } from '@perfusion/encoders';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.js';
import { runBin, tempDir } from './helpers/run-bin.js';
import { shellWords } from './helpers/shell-words.js';
import { writeTrainingImages } from './helpers/training-images.js';

/*
 * docs/training.md is checked against the code: its ```ts block is written into this package (so
 * that imports resolve as a user's would), type-checked with the package's compiler options and
 * run, with its own assertions; its `npx perfusion` commands parse, and those on the default model
 * run as written, in order, in one working directory with a few photos in photos/.
 */

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docFile = path.resolve(packageDir, '../../docs/training.md');
const doc = fs.readFileSync(docFile, 'utf8');

const commands = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.replace(/\\\n/g, ' ').split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line.startsWith('npx perfusion '))
  .map((line) => ({ line, argv: shellWords(line).slice(2) }));

const root = tempDir('training-doc');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function typeErrors(files: readonly string[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(packageDir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)))
    .map((d) => {
      const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

describe('docs/training.md', () => {
  it('shows train commands on the default model and on sd15-onnx, each followed by a generate', () => {
    const kinds = commands.map((c) => ({ kind: parseCommandLine(c.argv).kind, model: c.argv.includes('--model') }));
    for (const model of [false, true]) {
      const at = kinds.findIndex((k) => k.kind === 'train' && k.model === model);
      expect(at, `a train command ${model ? 'with' : 'without'} --model`).toBeGreaterThanOrEqual(0);
      expect(kinds[at + 1]).toEqual({ kind: 'generate', model });
    }
  });

  it.each(commands.map((c) => [c.line, c.argv] as const))('%s parses', (_line, argv) => {
    expect(() => parseCommandLine(argv)).not.toThrow();
  });

  const cwd = path.join(root, 'work');
  writeTrainingImages(path.join(cwd, 'photos'));
  const runnable = commands.filter((c) => !c.argv.includes('--model'));
  it.each(runnable.map((c) => [c.line, c.argv] as const))('%s runs', async (line, argv) => {
    const r = await runBin(argv, { cwd });
    expect(r.code, r.stderr).toBe(0);
    const parsed = parseCommandLine(argv);
    switch (parsed.kind) {
      case 'train': {
        const { out, token, samples, steps, sampleEvery } = parsed.args;
        expect(out, `${line} should name its output`).toBeDefined();
        expect(r.stdout.split('\n')[0]).toBe(out);
        expect((await readConcept(path.join(cwd, out!))).training?.steps).toBe(steps);
        expect((await readConcept(path.join(cwd, out!))).token).toBe(token);
        if (samples !== undefined) expect(fs.readdirSync(path.join(cwd, samples))).toHaveLength(Math.ceil(steps! / sampleEvery!));
        break;
      }
      case 'generate':
        expect(r.stdout).toBe(`${parsed.args.out}\n`);
        expect((await readPng(path.join(cwd, parsed.args.out!))).width).toBe(64);
        break;
      default:
        throw new Error(`${line}: no check for ${parsed.kind}`);
    }
  });

  it('has a ts block that type-checks and runs', async () => {
    const blocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({ code: m[1]!, line: doc.slice(0, m.index).split('\n').length }));
    expect(blocks.length).toBeGreaterThan(0);
    const dir = path.join(packageDir, '.cache', `training-doc-${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    try {
      const files = blocks.map((block) => {
        const file = path.join(dir, `block-line-${block.line}.ts`);
        fs.writeFileSync(file, block.code);
        return file;
      });
      expect(typeErrors(files)).toEqual([]);
      for (const [i, file] of files.entries()) {
        try {
          await import(pathToFileURL(file).href);
        } catch (error) {
          throw new Error(`docs/training.md, block at line ${blocks[i]!.line}: ${(error as Error).stack ?? String(error)}`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
