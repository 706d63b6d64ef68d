import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline } from '@perfusion/pipeline';
import { lastValueFrom } from 'rxjs';
import { afterAll, expect, it } from 'vitest';
import { tinyModel } from './support/helpers.js';

// The worker from the built package: builds dist/ (tsc -b, with the packages it references), then
// runs a plain `node` child (no tsx, no source condition) that uses createWorkerPipeline, and
// compares its image with the one the source pipeline makes on this thread.
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(packageDir, '../..');
const scratch = path.join(packageDir, '.cache', `dist-worker-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SCRIPT = `
import { createHash } from 'node:crypto';
import { createWorkerPipeline } from '@perfusion/pipeline';
import { lastValueFrom } from 'rxjs';

const [modelDir, requestJson] = process.argv.slice(2);
const worker = await createWorkerPipeline(modelDir);
const steps = [];
await new Promise((resolve) => {
  const subscription = worker.generate({ prompt: 'a fox', steps: 8, seed: 1 }).subscribe((event) => {
    if (event.type !== 'step') return;
    steps.push(event.index);
    if (event.index === 1) {
      subscription.unsubscribe();
      resolve();
    }
  });
});
const done = await lastValueFrom(worker.generate(JSON.parse(requestJson)));
await worker.release();
console.log(JSON.stringify({
  entry: import.meta.resolve('@perfusion/pipeline'),
  steps,
  sha256: createHash('sha256').update(done.images[0].data).digest('hex'),
}));
`;

it('runs from dist/ with plain node and gives the source pipeline’s image', async () => {
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'pipe' });
  mkdirSync(scratch, { recursive: true });
  const script = path.join(scratch, 'use-dist.mjs');
  writeFileSync(script, SCRIPT);

  const model = await tinyModel();
  const request = { prompt: 'a lighthouse at dusk', steps: 3, seed: 31 };
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const out = execFileSync(process.execPath, [script, model, JSON.stringify(request)], { cwd: scratch, env, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { entry: string; steps: number[]; sha256: string };

  const pipeline = await loadPipeline(model);
  try {
    const done = await lastValueFrom(pipeline.generate(request));
    if (done.type !== 'done') throw new Error('no image');
    expect(result.entry).toBe(new URL('../dist/index.js', import.meta.url).href);
    expect(result.steps).toEqual([0, 1]);
    expect(result.sha256).toBe(createHash('sha256').update(done.images[0]!.data).digest('hex'));
  } finally {
    await pipeline.release();
  }
}, 300_000);
