import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPng } from '@perfusion/encoders';
import { afterAll, expect, it } from 'vitest';
import { finish, startBin, tempDir } from './helpers/run-bin.js';

const root = tempDir('sigint');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('stops on Ctrl-C between steps, says so, exits 130 and writes no image', async () => {
  const outDir = path.join(root, 'out');
  const out = path.join(outDir, 'big.png');
  const previews = path.join(root, 'previews');
  // Long enough that it cannot finish before the signal arrives: 400 steps at 128×128.
  const child = startBin(['generate', 'a long one', '--seed', '1', '--steps', '400', '--scheduler', 'ddim', '--width', '128', '--height', '128', '--out', out, '--previews', previews]);
  let signalled = false;
  const result = await finish(child, (stderr) => {
    if (!signalled && /^step 2\/400 /m.test(stderr)) {
      signalled = true;
      // As a terminal's Ctrl-C: SIGINT to the whole process group (launcher and generator).
      process.kill(-child.pid!, 'SIGINT');
    }
  });
  expect(signalled, result.stderr).toBe(true);
  expect(result.code, result.stderr).toBe(130);
  const cancelled = /^cancelled after step (\d+)\/400; no image written\.$/m.exec(result.stderr);
  expect(cancelled, result.stderr).not.toBeNull();
  const stepsDone = Number(cancelled![1]);
  expect(stepsDone).toBeGreaterThanOrEqual(2);
  expect(stepsDone).toBeLessThan(400);
  expect(result.stdout).toBe('');

  // No image, and nothing half-written: the output folder is empty, and each preview is whole.
  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(outDir)).toEqual([]);
  const files = fs.readdirSync(previews).sort();
  expect(files).toEqual(Array.from({ length: stepsDone }, (_, i) => `step-${String(i).padStart(3, '0')}.png`));
  for (const file of files) expect((await readPng(path.join(previews, file))).width).toBe(32); // latent resolution: 128 / 4
});
