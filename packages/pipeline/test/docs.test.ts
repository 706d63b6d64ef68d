import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Runs the documentation: every ```ts block of the package README, docs/composing-pipelines.md and
 * docs/concepts.md is written to a file (inside the package, so that imports resolve as
 * a user's would), type-checked with the package's compiler options, and run; a block starting
 * with `// file: NAME` is written as NAME for the other blocks to import, not run. A doc that
 * drifts from the code fails here, at compile time or when its own assertions run.
 */

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(packageDir, '../..');
const DOCS = [
  { name: 'README', file: path.join(packageDir, 'README.md') },
  { name: 'composing-pipelines', file: path.join(repoRoot, 'docs', 'composing-pipelines.md') },
  { name: 'concepts', file: path.join(repoRoot, 'docs', 'concepts.md') },
];

interface Block {
  readonly file: string;
  readonly run: boolean;
  readonly line: number;
}

function extractBlocks(markdown: string, dir: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const code = match[1]!;
    const line = markdown.slice(0, match.index).split('\n').length;
    const named = /^\/\/ file: (\S+)\n/.exec(code);
    const file = path.join(dir, named ? named[1]! : `block-${blocks.length + 1}-line-${line}.ts`);
    writeFileSync(file, code);
    blocks.push({ file, run: named === null, line });
  }
  return blocks;
}

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

const scratch = path.join(packageDir, '.cache', `doc-blocks-${process.pid}`);
const blocksOf = new Map<string, Block[]>();
beforeAll(() => {
  for (const doc of DOCS) {
    const dir = path.join(scratch, doc.name);
    mkdirSync(dir, { recursive: true });
    blocksOf.set(doc.name, extractBlocks(readFileSync(doc.file, 'utf8'), dir));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('every documentation block type-checks', () => {
  const files = [...blocksOf.values()].flat().map((b) => b.file);
  expect(files.length).toBeGreaterThan(0);
  expect(typeErrors(files)).toEqual([]);
}, 120_000);

for (const doc of DOCS) {
  describe(`${doc.name} code blocks`, () => {
    it('run without failing their assertions', async () => {
      const blocks = blocksOf.get(doc.name)!.filter((b) => b.run);
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        try {
          await import(pathToFileURL(block.file).href);
        } catch (error) {
          throw new Error(`${path.relative(repoRoot, doc.file)}, block at line ${block.line}: ${(error as Error).stack ?? String(error)}`);
        }
      }
    }, 120_000);
  });
}
