import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  InvalidRequestError,
  ModelFolderError,
  PipelineReleasedError,
  createWorkerPipeline,
  loadPipeline,
  type GenerationEvent,
  type Pipeline,
  type WorkerPipeline,
} from '@perfusion/pipeline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, failure, stepIndices, tinyModel } from './support/helpers.js';

const PROMPT = 'a red fox in the snow, oil painting';

/** Events without the timings (wall-clock) of `done`. */
function comparable(events: readonly GenerationEvent[]): unknown[] {
  return events.map((event) => (event.type === 'done' ? { ...event, timings: undefined } : event));
}

describe('createWorkerPipeline', () => {
  let dir: string;
  let logFile: string;
  let worker: WorkerPipeline;
  let main: Pipeline;
  const calls = (label: string): number => readFileSync(logFile, 'utf8').split('\n').filter((line) => line === label).length;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'perfusion-worker-test-'));
    logFile = path.join(dir, 'calls.log');
    writeFileSync(logFile, '');
    const model = await tinyModel();
    worker = await createWorkerPipeline(model, {
      configureModule: new URL('./support/count-calls.ts', import.meta.url),
      configureData: { logFile },
    });
    main = await loadPipeline(model);
  });
  afterAll(async () => {
    await worker?.release();
    await main?.release();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => writeFileSync(logFile, ''));

  it('runs in another thread', () => {
    expect(worker.threadId).toBeGreaterThan(0);
  });

  it('yields the same events and image bytes as the main-thread pipeline', async () => {
    const request = { prompt: PROMPT, steps: 3, seed: 77, batchSize: 2, previews: true, returnLatents: true };
    const fromWorker = await collect(worker.generate(request));
    const fromMain = await collect(main.generate(request));
    expect(fromWorker.map((e) => e.type)).toEqual(['start', 'step', 'step', 'step', 'step', 'done']);
    expect(comparable(fromWorker)).toEqual(comparable(fromMain));
    const done = fromWorker.at(-1);
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.images[0]!.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(done.images[1]!.data).equals(Buffer.from((fromMain.at(-1) as typeof done).images[1]!.data))).toBe(true);
    expect(calls('unet')).toBe(4);
  });

  for (const k of [0, 2]) {
    it(`unsubscribing after step ${k} makes no further UNet call in the worker`, async () => {
      const seen: GenerationEvent[] = [];
      const subscription = worker.generate({ prompt: PROMPT, steps: 6, seed: 5 }).subscribe({
        next: (event) => {
          seen.push(event);
          if (event.type === 'step' && event.index === k) subscription.unsubscribe();
        },
      });
      // The worker runs one generation at a time: this one starts after the cancelled one has stopped.
      const after = await collect(worker.generate({ prompt: PROMPT, steps: 1, seed: 5 }));
      expect(after.at(-1)?.type).toBe('done');
      expect(stepIndices(seen)).toEqual(Array.from({ length: k + 1 }, (_, i) => i));
      expect(seen.some((e) => e.type === 'done')).toBe(false);
      // k + 1 calls of the cancelled generation, 1 of the next (PNDM runs 1 timestep for 1 step).
      expect(calls('unet')).toBe(k + 1 + 1);
      expect(calls('vae')).toBe(1);
    });
  }

  it('rejects an invalid request with the same error class and field, before any model runs', async () => {
    const { error, events } = await failure(worker.generate({ prompt: PROMPT, width: 100 }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ name: 'InvalidRequestError', field: 'width', value: 100 });
    expect((error as Error).message).toContain('request.width is 100');
    expect(events).toEqual([]);
    await collect(worker.generate({ prompt: PROMPT, steps: 1, seed: 1 }));
    // Only the valid generation's calls (1 step: 1 UNet call).
    expect([calls('text'), calls('unet'), calls('vae')]).toEqual([1, 1, 1]);
  });

  it('queues concurrent subscriptions and runs them one after the other', async () => {
    const [a, b] = await Promise.all([
      collect(worker.generate({ prompt: PROMPT, steps: 2, seed: 3 })),
      collect(worker.generate({ prompt: PROMPT, steps: 2, seed: 3 })),
    ]);
    expect(comparable(a)).toEqual(comparable(b));
    expect(calls('unet')).toBe(6);
  });

  it('is cold: nothing is sent to the worker before subscribe', async () => {
    const events = worker.generate({ prompt: PROMPT, steps: 1, seed: 1 });
    await collect(main.generate({ prompt: PROMPT, steps: 1, seed: 1 }));
    expect(calls('text')).toBe(0);
    await collect(events);
    expect(calls('text')).toBe(1);
  });
});

describe('worker errors', () => {
  it('re-creates a load error on the main thread', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perfusion-not-a-model-'));
    try {
      writeFileSync(path.join(dir, 'model_index.json'), '{}');
      const error = await createWorkerPipeline(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModelFolderError);
      expect((error as ModelFolderError).missing).toContain('unet/model.onnx');
      expect((error as Error).message).toContain('missing scheduler/scheduler_config.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('release() errors a running generation and later ones with PipelineReleasedError', async () => {
    const worker = await createWorkerPipeline(await tinyModel());
    const seen: GenerationEvent[] = [];
    const ended = new Promise<unknown>((resolve) => {
      worker.generate({ prompt: PROMPT, steps: 20, seed: 1 }).subscribe({
        next: (event) => {
          seen.push(event);
          if (event.type === 'step' && event.index === 1) void worker.release();
        },
        error: resolve,
        complete: () => resolve('completed'),
      });
    });
    expect(await ended).toBeInstanceOf(PipelineReleasedError);
    expect(stepIndices(seen)).toEqual([0, 1]);
    await worker.release();
    expect((await failure(worker.generate({ prompt: PROMPT }))).error).toBeInstanceOf(PipelineReleasedError);
  });
});
