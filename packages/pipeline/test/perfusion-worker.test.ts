import * as path from 'node:path';
import { writeConcept, type ConceptFile } from '@perfusion/concept-format';
import { createWorkerPipeline, InvalidRequestError, loadPipeline, type GenerationEvent, type Pipeline, type WorkerPipeline } from '@perfusion/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, failure, tinyModel } from './support/helpers.js';
import { doneOf, tempFolder } from './support/perfusion.js';

/** Events without the timings (wall-clock) of `done`. */
function comparable(events: readonly GenerationEvent[]): unknown[] {
  return events.map((event) => (event.type === 'done' ? { ...event, timings: undefined } : event));
}

describe('concepts in worker mode', () => {
  const scratch = tempFolder('perfusion-worker');
  const covarianceCacheDir = path.join(scratch.dir, 'covariance');
  let main: Pipeline;
  let worker: WorkerPipeline;
  let tabby: ConceptFile;
  let file: string;
  beforeAll(async () => {
    const model = await tinyModel();
    main = await loadPipeline(model, { perfusion: { covarianceCacheDir } });
    // A small corpus keeps this quick; the worker reads the same cached file.
    await main.covariance({ captions: ['a cat on a mat', 'a dog in a park', 'a red car', 'a photo of a tabby cat', 'a bowl of fruit'] });
    tabby = await main.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
    file = path.join(scratch.dir, 'tabby.safetensors');
    await writeConcept(file, tabby);
    worker = await createWorkerPipeline(model, { perfusion: { covarianceCacheDir } });
  });
  afterAll(async () => {
    await worker?.release();
    await main?.release();
    scratch.remove();
  });

  it('gives the main thread’s events and image for a concept object and for a concept file', async () => {
    for (const concept of [tabby, file]) {
      const request = { prompt: 'a photo of a <tabby> on a beach', steps: 3, seed: 5, concepts: [{ concept, beta: 0.6 }] };
      const fromWorker = await collect(worker.generate(request));
      const fromMain = await collect(main.generate(request));
      expect(fromWorker.map((e) => e.type)).toEqual(['start', 'step', 'step', 'step', 'step', 'done']);
      expect(comparable(fromWorker)).toEqual(comparable(fromMain));
      expect(doneOf(fromWorker).images[0]!.data).toEqual(doneOf(fromMain).images[0]!.data);
    }
  });

  it('re-creates concept errors on the main thread, before any event', async () => {
    const { error, events } = await failure(worker.generate({ prompt: 'x', concepts: [{ concept: { ...tabby, baseModel: { fingerprint: 'other' } } }] }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).field).toBe('concepts[0].concept');
    expect((error as Error).cause).toMatchObject({ name: 'BaseModelMismatchError' });
    expect(events).toEqual([]);
  });

  it('streams preparing events while the worker computes a covariance', async () => {
    const fresh = await createWorkerPipeline(await tinyModel(), { perfusion: { covarianceCacheDir: path.join(scratch.dir, 'fresh') } });
    try {
      const events = await collect(fresh.generate({ prompt: 'a photo of a <tabby>', steps: 1, seed: 1, concepts: [{ concept: tabby }] }));
      const preparing = events.filter((e) => e.type === 'preparing');
      expect(preparing.length).toBeGreaterThan(2);
      expect(preparing.at(-1)).toMatchObject({ done: 5000, total: 5000 });
      expect(events.at(-1)!.type).toBe('done');
    } finally {
      await fresh.release();
    }
  });
});
