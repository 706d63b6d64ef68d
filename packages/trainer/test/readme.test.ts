import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
import { readConcept } from '@perfusion/concept-format';
// imports:start
import { ensureFixture } from '@perfusion/fixtures';
import { ConceptTrainer } from '@perfusion/trainer';
// imports:end
import { checkerPhotos } from './training-support.js';

// The README's example is the code between the example markers below, after the import lines
// above; the first test checks the README shows exactly that, the second runs it on the tiny model.

describe('README example', () => {
  let folder: string;
  let cwd: string;
  beforeAll(() => {
    cwd = process.cwd();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-readme-'));
    fs.mkdirSync(path.join(folder, 'photos'));
    checkerPhotos(3, path.join(folder, 'photos'));
    process.chdir(folder);
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs: trains, streams progress and writes the concept file', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    // example:start
    const model = await ensureFixture('tiny'); // or the folder of an SD-1.5 ONNX export
    const trainer = await ConceptTrainer.load(model);
    await new Promise<void>((resolve, reject) =>
      trainer
        .train({
          images: 'photos', // PNG/JPEG photos of the concept; optional <name>.mask.png beside each
          token: '<my-pattern>',
          supercategory: 'cat',
          steps: 20, // the default 400 suits real models
          batchSize: 4, // default 16, accumulated over micro-batches of `microBatchSize` (default 1)
          checkpoint: 'my-pattern.ckpt', // written atomically every `checkpointEvery` (50) steps; `resume` continues it
          out: 'my-pattern.safetensors',
        })
        .subscribe({
          next: (event) => {
            if (event.type === 'step' && event.step % 5 === 0) log(`step ${event.step}/${event.totalSteps} loss ${event.smoothedLoss.toFixed(3)}`);
            if (event.type === 'done') log(`wrote ${event.file}`);
          },
          error: reject,
          complete: resolve,
        }),
    );
    await trainer.release();
    // example:end
    expect(lines.filter((l) => l.startsWith('step '))).toHaveLength(4);
    expect(lines.at(-1)).toBe(`wrote ${path.resolve('my-pattern.safetensors')}`);
    expect((await readConcept('my-pattern.safetensors')).training).toMatchObject({ steps: 20, batchSize: 4 });
    expect(fs.existsSync('my-pattern.ckpt')).toBe(true);
  });
});
