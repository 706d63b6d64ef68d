import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Builds the package, packs it as `npm publish` would, and imports the tarball's contents from a
// scratch project outside the repo: this catches a wrong `exports` map, a `files` list that leaves
// dist/ out, or emitted imports without `.js` extensions, none of which source-level tests see.
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'perfusion-pack-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed @perfusion/tensor-core', () => {
  it('is importable by name from a project outside the repo', () => {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
      cwd: packageDir,
      stdio: 'pipe',
    });
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: packageDir, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

    const project = join(scratch, 'consumer');
    const installed = join(project, 'node_modules/@perfusion/tensor-core');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, packed[0]!.filename), '-C', installed, '--strip-components=1']);
    // The one runtime dependency comes from the repo's install (tests run offline).
    symlinkSync(join(repoRoot, 'node_modules/onnxruntime-common'), join(project, 'node_modules/onnxruntime-common'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(
      join(project, 'main.js'),
      [
        "import { Tensor, Rng } from '@perfusion/tensor-core';",
        "const t = new Tensor('float32', new Rng(1).fillNormal(new Float32Array(6)), [2, 3]);",
        'console.log(JSON.stringify({ shape: t.reshape([3, 2]).shape, dtype: t.dtype }));',
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ shape: [3, 2], dtype: 'float32' });
  }, 120_000);
});
