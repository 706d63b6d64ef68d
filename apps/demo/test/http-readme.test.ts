import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a TypeScript file as `npm run demo` runs main.ts: tsx, the `@perfusion/source` condition, the workspace tsconfig. */
function runTypeScript(file: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TSX_TSCONFIG_PATH: path.resolve(packageDir, '../../tsconfig.base.json') };
  delete env['FORCE_COLOR']; // console.log would colour what it prints
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@perfusion/source', '--import', tsx, file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('runs the README example and prints what its comments say', async () => {
  const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Inside the package, so that `@perfusion/demo` and `ws` resolve as for a user of the package;
  // run from an empty folder, which gets the example's ./concepts.
  const file = path.join(packageDir, `.readme-example-${process.pid}.ts`);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'perfusion-demo-readme-'));
  fs.writeFileSync(file, code!);
  try {
    const result = await runTypeScript(file, cwd);
    expect(result.code, result.stderr).toBe(0);
    const expected = [...code!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(result.stdout.trim().split('\n')).toEqual(expected);
    expect(fs.statSync(path.join(cwd, 'concepts')).isDirectory()).toBe(true);
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
