import { existsSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  BaseModelMismatchError,
  ConceptIoError,
  CovarianceMismatchError,
  LayerWidthMismatchError,
  readConcept,
  readCovariance,
  writeConcept,
  writeCovariance,
  type ConceptFile,
} from '@perfusion/concept-format';
import { TEXT_ENCODER } from '@perfusion/encoders';
import { OnnxSession, openSessionCount } from '@perfusion/onnx-graph';
import {
  ConceptConstructionError,
  covarianceFileName,
  GenerationFailedError,
  InvalidRequestError,
  loadPipeline,
  PerfusionUnavailableError,
  UNET,
  type GenerationEvent,
  type GenerationRequest,
  type Pipeline,
  type PreparingEvent,
} from '@perfusion/pipeline';
import type { Tensor } from '@perfusion/tensor-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collect, countCalls, failure, newLog, tinyModel, type CallLog } from './support/helpers.js';
import { doneOf, maxAbsDifference, maxByteDifference, sigmoid, tempFolder } from './support/perfusion.js';

const PROMPT = 'a photo of a <tabby> on a beach';
const folders: (() => void)[] = [];
afterAll(() => folders.forEach((remove) => remove()));
function folder(label: string): string {
  const { dir, remove } = tempFolder(label);
  folders.push(remove);
  return dir;
}

/** The tiny fixture's pipeline with a covariance cache of its own; text-encoder and UNet calls counted. */
async function perfusionPipeline(covarianceCacheDir: string, extra: { globalLocking?: boolean } = {}): Promise<{ pipeline: Pipeline; text: CallLog; unet: CallLog }> {
  const text = newLog();
  const unet = newLog();
  const pipeline = await loadPipeline(await tinyModel(), {
    perfusion: { covarianceCacheDir, ...extra },
    configure: (container) => {
      countCalls(container, TEXT_ENCODER, 'encode', text);
      countCalls(container, UNET, 'predictNoise', unet);
    },
  });
  return { pipeline, text, unet };
}

function request(concepts: GenerationRequest['concepts'], more: Partial<GenerationRequest> = {}): GenerationRequest {
  return { prompt: PROMPT, steps: 3, seed: 11, ...(concepts !== undefined && { concepts }), ...more };
}

describe('Perfusion in the pipeline (tiny fixture)', () => {
  /** One covariance for most tests: computed once by `pipeline` (the first generation with a concept). */
  const sharedCovariance = folder('perfusion-cov');
  let pipeline: Pipeline;
  let text: CallLog;
  let unet: CallLog;
  let tabby: ConceptFile;
  let redCar: ConceptFile;
  let firstRun: GenerationEvent[];
  beforeAll(async () => {
    ({ pipeline, text, unet } = await perfusionPipeline(sharedCovariance));
    tabby = await pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
    redCar = await pipeline.conceptFromWords({ token: '<red-car>', supercategory: 'car', words: 'red car' });
    firstRun = await collect(pipeline.generate(request([{ concept: tabby }], { returnLatents: true })));
  });
  afterAll(() => pipeline?.release());

  describe('loading', () => {
    it('with no concepts, the patched UNet and extended text encoder give the plain pipeline’s image', async () => {
      const plain = await loadPipeline(await tinyModel(), { perfusion: false });
      try {
        expect(plain.perfusion).toBeUndefined();
        for (const more of [{}, { guidanceScale: 1 }, { batchSize: 2, seed: 3 }] as Partial<GenerationRequest>[]) {
          const r = request(undefined, { prompt: 'a red fox in the snow', returnLatents: true, ...more });
          const [a, b] = [await collect(pipeline.generate(r)), await collect(plain.generate(r))];
          const latents = (events: GenerationEvent[]) => events.flatMap((e) => (e.type === 'step' ? [e.latents!] : []));
          latents(a).forEach((l, i) => expect(maxAbsDifference(l, latents(b)[i]!)).toBeLessThanOrEqual(1e-5));
          doneOf(a).images.forEach((image, i) => expect(maxByteDifference(image, doneOf(b).images[i]!)).toBeLessThanOrEqual(1));
        }
      } finally {
        await plain.release();
      }
    });

    it('describes the base model: fingerprint, layers, widths and dims, computed once', () => {
      const description = pipeline.perfusion!.description;
      expect(description.fingerprint).toMatch(/^unet-v1-L4-d32-W160-[0-9a-f]{32}$/);
      expect(description.layers.map((l) => l.width)).toEqual([32, 64, 32, 32]);
      expect(description.layers[0]!.layer).toBe('/down_blocks.0/attentions.0/transformer_blocks.0/attn2');
      expect([description.encodingDim, description.embeddingDim]).toEqual([32, 32]);
      expect(pipeline.perfusion!.patched.separateKeyStates).toBe(false);
    });

    it('refuses Perfusion calls on a pipeline loaded without it', async () => {
      const plain = await loadPipeline(await tinyModel(), { perfusion: false });
      try {
        await expect(plain.covariance()).rejects.toThrow(PerfusionUnavailableError);
        await expect(plain.conceptFromWords({ token: '<x>', supercategory: 'cat', words: 'cat' })).rejects.toThrow(/perfusion: false/);
        const { error, events } = await failure(plain.generate(request([{ concept: tabby }])));
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as InvalidRequestError).field).toBe('concepts');
        expect(events).toEqual([]);
      } finally {
        await plain.release();
      }
    });
  });

  describe('covariance', () => {
    it('the first generation with a concept computed it with preparing events, then cached it', () => {
      const types = firstRun.map((e) => e.type);
      const preparing = firstRun.filter((e): e is PreparingEvent => e.type === 'preparing');
      expect(types[0]).toBe('start');
      expect(types.lastIndexOf('preparing')).toBeLessThan(types.indexOf('step'));
      expect(preparing[0]).toEqual({ type: 'preparing', stage: 'covariance', done: 0, total: 5000 });
      expect(preparing.at(-1)).toMatchObject({ done: 5000, total: 5000 });
      preparing.slice(1).forEach((e, i) => expect(e.done).toBeGreaterThan(preparing[i]!.done));
      expect(pipeline.perfusion!.stats.covariances).toBe(1);
      expect(existsSync(path.join(sharedCovariance, covarianceFileName(pipeline.perfusion!.description.fingerprint)))).toBe(true);
    });

    it('is reused: in memory by the same pipeline, from the file by a new one; another model’s file is refused', async () => {
      const before = await collect(pipeline.generate(request([{ concept: tabby }])));
      expect(before.some((e) => e.type === 'preparing')).toBe(false);
      const info = await pipeline.covariance();
      expect(info).toMatchObject({ source: 'memory', dim: 32, captions: 5000, corpus: 'builtin:5000:seed0' });
      expect(info.count).toBeGreaterThan(5000 * 3);

      const file = info.file!;
      const mtime = statSync(file).mtimeMs;
      const second = await perfusionPipeline(sharedCovariance);
      try {
        const events = await collect(second.pipeline.generate(request([{ concept: tabby }])));
        expect(events.some((e) => e.type === 'preparing')).toBe(false);
        expect(second.pipeline.perfusion!.stats.covariances).toBe(0);
        expect(doneOf(events).images[0]!.data).toEqual(doneOf(before).images[0]!.data);
        expect((await second.pipeline.covariance()).source).toBe('memory');
        expect(statSync(file).mtimeMs).toBe(mtime);
      } finally {
        await second.pipeline.release();
      }

      await expect(readCovariance(file, { fingerprint: 'unet-v1-another-model' })).rejects.toThrow(CovarianceMismatchError);
      const foreign = path.join(folder('foreign-cov'), 'c.safetensors');
      const read = await readCovariance(file);
      await writeCovariance(foreign, { ...read, fingerprint: 'unet-v1-another-model' });
      const error = await pipeline.covariance({ file: foreign }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CovarianceMismatchError);
      expect((error as Error).message).toContain('"unet-v1-another-model" in the file');
    });

    it('a new pipeline reads it from the file; recompute and custom captions compute again; a damaged file is replaced', async () => {
      const dir = folder('cov-recompute');
      const first = await perfusionPipeline(dir);
      try {
        const progress: number[] = [];
        const computed = await first.pipeline.covariance({ captions: ['a cat', 'a dog on a sofa', 'a red car'], onProgress: (p) => void progress.push(p.done) });
        expect(computed).toMatchObject({ source: 'computed', captions: 3 });
        expect(progress).toEqual([0, 3]);
        // One batch: encoded trimmed to its longest caption and in full (the check that trimming is exact).
        expect(first.text.count).toBe(2);
        expect((await first.pipeline.covariance({ captions: ['a cat', 'a dog on a sofa', 'a red car'] })).source).toBe('memory');
        expect(first.text.count).toBe(2);
        expect((await first.pipeline.covariance({ captions: ['a cat', 'a dog on a sofa', 'a red car'], recompute: true })).source).toBe('computed');
        expect(first.text.count).toBe(4);
      } finally {
        await first.pipeline.release();
      }
      const second = await perfusionPipeline(dir);
      try {
        const read = await second.pipeline.covariance();
        expect(read).toMatchObject({ source: 'file', captions: 3 });
        expect(second.text.count).toBe(0);
        // Asking for another corpus than the cached one computes it.
        expect((await second.pipeline.covariance({ captions: ['a boat'] })).source).toBe('computed');
      } finally {
        await second.pipeline.release();
      }
      writeFileSync(path.join(dir, covarianceFileName(pipeline.perfusion!.description.fingerprint)), 'not a covariance');
      const third = await perfusionPipeline(dir);
      try {
        expect((await third.pipeline.covariance({ captions: ['a cat'] })).source).toBe('computed');
        expect((await readCovariance(path.join(dir, covarianceFileName(pipeline.perfusion!.description.fingerprint)))).captions).toBe(1);
      } finally {
        await third.pipeline.release();
      }
    });
  });

  describe('concepts', () => {
    it('a from-words concept generates end to end and changes the image', async () => {
      expect(tabby).toMatchObject({ token: '<tabby>', supercategory: 'cat', defaults: { beta: 0.7, tau: 0.15 }, training: { method: 'from-words', words: 'tabby cat' } });
      expect(tabby.baseModel.fingerprint).toBe(pipeline.perfusion!.description.fingerprint);
      expect(tabby.valueTargets.map((t) => t.width)).toEqual([32, 64, 32, 32]);
      const start = firstRun[0]!;
      if (start.type !== 'start') throw new Error('no start');
      expect(start.request.concepts).toEqual([{ token: '<tabby>', supercategory: 'cat', file: undefined, beta: 0.7, tau: 0.15 }]);
      const plain = await collect(pipeline.generate(request(undefined)));
      expect(maxByteDifference(doneOf(firstRun).images[0]!, doneOf(plain).images[0]!)).toBeGreaterThan(0);
      expect(doneOf(firstRun).timings.conceptsMs).toBeGreaterThanOrEqual(0);
    });

    it("gives the concept token a gate of sigmoid((1 − β)/τ) and the other tokens gates near 0, and feeds exactly those coefficients", async () => {
      const r = request([{ concept: tabby }]);
      const report = await pipeline.inspectConcepts(r);
      const [negative, prompt] = report.rows;
      expect(negative!.role).toBe('negative');
      const at = prompt!.tokens.findIndex((t) => t.text === '<tabby>');
      expect(at).toBe(5);
      expect(prompt!.tokens[at]!.sim[0]).toBeCloseTo(1, 4);
      expect(prompt!.tokens[at]!.gate[0]).toBeCloseTo(sigmoid((1 - 0.7) / 0.15), 4);
      for (const row of report.rows) for (const t of row.tokens) if (t.index !== at || row.role === 'negative') expect(t.gate[0]).toBeLessThan(0.1);

      // The UNet receives these coefficients (both rows) and rows [−i*·W ; o*] of width [32, 64, 32, 32].
      const from = unet.args.length;
      await collect(pipeline.generate({ ...r, steps: 1 }));
      const feeds = (unet.args[from]![0] as { extraFeeds: Record<string, Tensor> }).extraFeeds;
      expect(feeds['perfusion_coeffs']!.shape).toEqual([2, 77, 2]);
      expect([...feeds['perfusion_coeffs']!.data]).toEqual([...report.coefficients]);
      expect(feeds['perfusion_rows/mid_block/attentions.0/transformer_blocks.0/attn2/v']!.shape).toEqual([1, 2, 64]);
      const vRows = feeds['perfusion_rows/mid_block/attentions.0/transformer_blocks.0/attn2/v']!.data as Float32Array;
      expect([...vRows.subarray(64)]).toEqual([...tabby.valueTargets[1]!.target]);
    });

    it('β and τ change the image without reloading or rebuilding anything', async () => {
      const sessions = vi.spyOn(OnnxSession, 'create');
      const open = openSessionCount();
      const stats = pipeline.perfusion!.stats;
      try {
        const images = [];
        for (const knobs of [{}, { beta: 0.4 }, { tau: 0.05 }, { beta: 0.4, tau: 0.05 }]) {
          images.push(doneOf(await collect(pipeline.generate(request([{ concept: tabby, ...knobs }])))).images[0]!);
        }
        for (let i = 1; i < images.length; i++) expect(maxByteDifference(images[i]!, images[i - 1]!)).toBeGreaterThan(0);
        expect(images[0]!.data).toEqual(doneOf(firstRun).images[0]!.data);
        expect(sessions).not.toHaveBeenCalled();
        expect(openSessionCount()).toBe(open);
        const after = pipeline.perfusion!.stats;
        expect(after.rowSets).toBe(stats.rowSets);
        expect(after.directions).toBe(stats.directions);
        expect(after.covariances).toBe(stats.covariances);
        expect(after.coefficients).toBe(stats.coefficients + 4);
      } finally {
        sessions.mockRestore();
      }
    });

    it('a concept from a file gives the image of the same concept as an object; the file’s defaults apply', async () => {
      const file = path.join(folder('concept-file'), 'tabby.safetensors');
      await writeConcept(file, { ...tabby, defaults: { beta: 0.4, tau: 0.05 } });
      const fromFile = await collect(pipeline.generate(request([{ concept: file }])));
      const fromObject = await collect(pipeline.generate(request([{ concept: tabby, beta: 0.4, tau: 0.05 }])));
      expect(doneOf(fromFile).images[0]!.data).toEqual(doneOf(fromObject).images[0]!.data);
      expect(fromFile[0]).toMatchObject({ request: { concepts: [{ token: '<tabby>', file, beta: 0.4, tau: 0.05 }] } });
      expect((await readConcept(file)).token).toBe('<tabby>');
    });

    it('two concepts combine, in sum and exact form', async () => {
      const both = [{ concept: tabby }, { concept: redCar, beta: 0.6 }];
      const prompt = 'a photo of a <tabby> next to a <red-car>';
      const single = doneOf(await collect(pipeline.generate(request([{ concept: tabby }], { prompt })))).images[0]!;
      const sum = doneOf(await collect(pipeline.generate(request(both, { prompt })))).images[0]!;
      const exact = doneOf(await collect(pipeline.generate(request(both, { prompt, multiConcept: 'exact' })))).images[0]!;
      expect(maxByteDifference(sum, single)).toBeGreaterThan(0);
      expect(maxByteDifference(exact, sum)).toBeGreaterThan(0);

      const report = await pipeline.inspectConcepts(request(both, { prompt, multiConcept: 'exact' }));
      expect(report.multiConcept).toBe('exact');
      const tokens = report.rows[1]!.tokens;
      const cat = tokens.find((t) => t.text === '<tabby>')!;
      const car = tokens.find((t) => t.text === '<red-car>')!;
      expect(cat.gate[0]).toBeGreaterThan(0.8);
      expect(car.gate[1]).toBeGreaterThan(sigmoid((0.9 - 0.6) / 0.15));
      expect(report.coefficients.length).toBe(2 * 77 * 4);
    });

    it('warns when the prompt does not mention a concept’s token', async () => {
      const events = await collect(pipeline.generate(request([{ concept: tabby }, { concept: redCar }], { prompt: 'a photo of a <tabby>' })));
      const warnings = events.filter((e) => e.type === 'warning');
      expect(warnings).toEqual([expect.objectContaining({ code: 'concept-token-missing', token: '<red-car>', conceptIndex: 1 })]);
      expect(events.at(-1)!.type).toBe('done');
    });

    it('conceptCompatibility reports what stops a concept from being used with this model', async () => {
      const ok = await pipeline.conceptCompatibility(tabby);
      expect(ok.problems).toEqual([]);
      const other = await pipeline.conceptCompatibility({ ...tabby, baseModel: { fingerprint: 'unet-v1-other' } });
      expect(other.problems.map((p) => p.kind)).toEqual(['base-model']);
    });

    it('conceptFromWords refuses a token of the vocabulary and a template without {}', async () => {
      await expect(pipeline.conceptFromWords({ token: 'cat</w>', supercategory: 'cat', words: 'cat' })).rejects.toThrow(ConceptConstructionError);
      await expect(pipeline.conceptFromWords({ token: '<x>', supercategory: 'cat', words: 'cat', template: 'a photo' })).rejects.toThrow(/exactly once/);
    });
  });

  describe('invalid concepts error before any model runs', () => {
    const cases: [string, () => GenerationRequest, (error: InvalidRequestError) => void][] = [
      [
        'another base model',
        () => request([{ concept: { ...tabby, baseModel: { fingerprint: 'unet-v1-another' } } }]),
        (error) => {
          expect(error.field).toBe('concepts[0].concept');
          expect(error.cause).toBeInstanceOf(BaseModelMismatchError);
          expect(error.message).toContain('the concept was trained for another model');
        },
      ],
      [
        'a layer width mismatch',
        () => request([{ concept: { ...tabby, valueTargets: tabby.valueTargets.map((t, i) => (i === 1 ? { ...t, width: 32, target: t.target.slice(0, 32) } : t)) } }]),
        (error) => {
          expect(error.cause).toBeInstanceOf(LayerWidthMismatchError);
          expect(error.message).toMatch(/width 32 in the concept but 64 in the model's layer/);
        },
      ],
      [
        'τ ≤ 0',
        () => request([{ concept: tabby, tau: 0 }]),
        (error) => {
          expect(error.field).toBe('concepts[0].tau');
          expect(error.message).toMatch(/τ \(the gate temperature\) must be a finite number > 0/);
        },
      ],
      [
        'a non-finite β',
        () => request([{ concept: tabby, beta: Number.NaN }]),
        (error) => expect(error.field).toBe('concepts[0].beta'),
      ],
      [
        'a duplicate token',
        () => request([{ concept: tabby }, { concept: { ...redCar, token: '<tabby>' } }]),
        (error) => {
          expect(error.field).toBe('concepts[1].concept');
          expect(error.message).toMatch(/its token '<tabby>' is also the token of concepts\[0\]/);
        },
      ],
      [
        'a token of the vocabulary',
        () => request([{ concept: { ...tabby, token: 'cat</w>' } }]),
        (error) => expect(error.message).toMatch(/already a token of the model's vocabulary/),
      ],
      [
        'a missing file',
        () => request([{ concept: '/nonexistent/concept.safetensors' }]),
        (error) => {
          expect(error.cause).toBeInstanceOf(ConceptIoError);
          expect(error.message).toContain('/nonexistent/concept.safetensors');
        },
      ],
      [
        'an unknown concept field',
        () => request([{ concept: tabby, weight: 1 } as never]),
        (error) => expect(error.field).toBe('concepts[0].weight'),
      ],
      [
        'an unknown multi-concept mode',
        () => request([{ concept: tabby }], { multiConcept: 'product' as never }),
        (error) => expect(error.field).toBe('multiConcept'),
      ],
      [
        'global locking on a pipeline loaded without it',
        () => request([{ concept: tabby }], { globalLocking: true }),
        (error) => {
          expect(error.field).toBe('globalLocking');
          expect(error.message).toContain('perfusion: { globalLocking: true }');
        },
      ],
    ];
    it.each(cases)('%s', async (_name, make, check) => {
      const [texts, unets] = [text.count, unet.count];
      const { error, events } = await failure(pipeline.generate(make()));
      expect(error).toBeInstanceOf(InvalidRequestError);
      check(error as InvalidRequestError);
      expect(events).toEqual([]);
      expect([text.count, unet.count]).toEqual([texts, unets]);
    });
  });
});

describe('global locking (tiny fixture)', () => {
  it('runs, differs from local locking, and leaves local locking and plain prompts as on the usual patched UNet', async () => {
    const covariance = folder('global-cov');
    const local = await perfusionPipeline(covariance);
    const global = await perfusionPipeline(covariance, { globalLocking: true });
    try {
      expect(global.pipeline.perfusion!.patched.separateKeyStates).toBe(true);
      // The token's embedding is that of 'cat'; its supercategory 'animal' makes the K prompt differ from the V prompt.
      const tabby = await local.pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'animal', words: 'tabby cat' });
      await local.pipeline.covariance({ captions: ['a cat on a mat', 'a dog', 'a red car on a road', 'a photo of a tabby cat'] });
      await global.pipeline.covariance({ file: (await local.pipeline.covariance()).file! });
      const concepts = [{ concept: tabby, beta: 0.5 }];
      const image = async (p: Pipeline, more: Partial<GenerationRequest>) => doneOf(await collect(p.generate(request(concepts, more)))).images[0]!;
      const globalImage = await image(global.pipeline, { globalLocking: true });
      const localOnGlobal = await image(global.pipeline, {});
      const localImage = await image(local.pipeline, {});
      expect(maxByteDifference(localOnGlobal, localImage)).toBeLessThanOrEqual(1);
      expect(maxByteDifference(globalImage, localImage)).toBeGreaterThan(0);
      const plainGlobal = doneOf(await collect(global.pipeline.generate(request(undefined)))).images[0]!;
      const plainLocal = doneOf(await collect(local.pipeline.generate(request(undefined)))).images[0]!;
      expect(maxByteDifference(plainGlobal, plainLocal)).toBeLessThanOrEqual(1);
      // The K path reads the supercategory prompt: one encoder call with the concept and supercategory rows.
      const from = global.unet.args.length;
      await collect(global.pipeline.generate(request(concepts, { globalLocking: true, steps: 1 })));
      const feeds = (global.unet.args[from]![0] as { extraFeeds: Record<string, Tensor>; encoderHiddenStates: Tensor }).extraFeeds;
      const states = (global.unet.args[from]![0] as { encoderHiddenStates: Tensor }).encoderHiddenStates;
      expect(feeds['perfusion_key_states']!.shape).toEqual([2, 77, 32]);
      expect(maxAbsDifference(feeds['perfusion_key_states']!.data as Float32Array, states.data as Float32Array)).toBeGreaterThan(0);
      expect([...(feeds['perfusion_rows/mid_block/attentions.0/transformer_blocks.0/attn2/k']!.data as Float32Array)].every((v) => v === 0)).toBe(true);
    } finally {
      await local.pipeline.release();
      await global.pipeline.release();
    }
  });
});

describe('a generation failing in the covariance stage', () => {
  it('errors with GenerationFailedError stage covariance, after start', async () => {
    const dir = folder('cov-fail');
    const { pipeline } = await perfusionPipeline(dir);
    try {
      const tabby = await pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
      // A text encoder that fails on caption batches (32 rows) but not on prompts.
      const encoder = pipeline.container.resolve(TEXT_ENCODER);
      const real = encoder.encode.bind(encoder);
      const spy = vi.spyOn(encoder, 'encode').mockImplementation((ids, options) => (ids.length > 2 ? Promise.reject(new Error('out of memory (simulated)')) : real(ids, options)));
      try {
        const { error, events } = await failure(pipeline.generate(request([{ concept: tabby }])));
        expect(error).toBeInstanceOf(GenerationFailedError);
        expect((error as GenerationFailedError).stage).toBe('covariance');
        expect(events.map((e) => e.type)).toEqual(['start', 'preparing']);
      } finally {
        spy.mockRestore();
      }
    } finally {
      await pipeline.release();
    }
  });
});

describe('the float16 fixture', () => {
  it('patches float16 inputs and generates with a concept; without concepts it matches the plain float16 pipeline', async () => {
    const model = await tinyModel('float16');
    const pipeline = await loadPipeline(model, { perfusion: { covarianceCacheDir: folder('cov-f16') } });
    const plain = await loadPipeline(model, { perfusion: false });
    try {
      expect(pipeline.perfusion!.patched.dtype).toBe('float16');
      await pipeline.covariance({ captions: ['a cat on a mat', 'a dog in a park', 'a red car', 'a photo of a tabby cat'] });
      const concept = await pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
      const withConcept = doneOf(await collect(pipeline.generate(request([{ concept }], { returnLatents: true }))));
      const without = doneOf(await collect(pipeline.generate(request(undefined))));
      const reference = doneOf(await collect(plain.generate(request(undefined))));
      expect(maxByteDifference(without.images[0]!, reference.images[0]!)).toBeLessThanOrEqual(1);
      expect(maxByteDifference(withConcept.images[0]!, without.images[0]!)).toBeGreaterThan(0);
      expect(new Set(withConcept.images[0]!.data).size).toBeGreaterThan(1);
    } finally {
      await pipeline.release();
      await plain.release();
    }
  });
});

describe('cancelling while the covariance is computed', () => {
  it('stops the computation before its next text-encoder call; the next generation computes it in full', async () => {
    const dir = folder('cov-cancel');
    const { pipeline, text } = await perfusionPipeline(dir);
    try {
      const tabby = await pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
      const before = text.count;
      let seen = 0;
      let callsAtCancel = 0;
      await new Promise<void>((resolve, reject) => {
        const subscription = pipeline.generate(request([{ concept: tabby }])).subscribe({
          next: (event) => {
            if (event.type !== 'preparing' || ++seen < 3) return;
            callsAtCancel = text.count;
            subscription.unsubscribe();
            resolve();
          },
          error: reject,
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(text.count).toBe(callsAtCancel);
      expect(callsAtCancel - before).toBeLessThan(5);
      expect(pipeline.perfusion!.stats.covariances).toBe(0);
      expect(existsSync(path.join(dir, covarianceFileName(pipeline.perfusion!.description.fingerprint)))).toBe(false);

      const events = await collect(pipeline.generate(request([{ concept: tabby }], { steps: 1 })));
      expect(events.filter((e) => e.type === 'preparing').at(-1)).toMatchObject({ done: 5000, total: 5000 });
      expect(pipeline.perfusion!.stats.covariances).toBe(1);
    } finally {
      await pipeline.release();
    }
  });
});
