import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The README's ```ts block, run as a user would (tsx, imports resolved through the workspace). */
it('runs the README example and prints what its comment says', async () => {
  const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = path.join(packageDir, `.readme-example-${process.pid}.ts`);
  fs.writeFileSync(file, code!);
  try {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    // tsx compiles with the workspace's tsconfig.base.json, which enables the decorators the
    // pipeline's packages use (as bin/perfusion.mjs does).
    const tsconfig = path.resolve(packageDir, '../../tsconfig.base.json');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TSX_TSCONFIG_PATH: tsconfig };
    delete env.FORCE_COLOR;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@perfusion/source', '--import', tsx, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    const expected = [...code!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(result.stdout.trim().split('\n')).toEqual(expected);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
