import { TEXT_ENCODER, VAE_DECODER } from '@perfusion/encoders';
import {
  DENOISE_STEP,
  DefaultDenoiseStep,
  GenerationFailedError,
  InvalidRequestError,
  PipelineReleasedError,
  SCHEDULER_FACTORY,
  UNET,
  loadPipeline,
  type DenoiseStep,
  type DenoiseStepArgs,
  type DoneEvent,
  type GenerationEvent,
  type Pipeline,
  type SchedulerFactory,
  type StepEvent,
} from '@perfusion/pipeline';
import { DdimScheduler, createScheduler } from '@perfusion/scheduler';
import { Observable, take } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, countCalls, failure, newLog, settle, sha256, stepIndices, tinyModel, type CallLog } from './support/helpers.js';

const PROMPT = 'a red fox in the snow, oil painting';

/** A pipeline on the tiny fixture whose text encoder, UNet and VAE decoder calls are counted. */
async function countedPipeline(): Promise<{ pipeline: Pipeline; text: CallLog; unet: CallLog; vae: CallLog }> {
  const text = newLog();
  const unet = newLog();
  const vae = newLog();
  const pipeline = await loadPipeline(await tinyModel(), {
    configure: (container) => {
      countCalls(container, TEXT_ENCODER, 'encode', text);
      countCalls(container, UNET, 'predictNoise', unet);
      countCalls(container, VAE_DECODER, 'decode', vae);
    },
  });
  return { pipeline, text, unet, vae };
}

function done(events: readonly GenerationEvent[]): DoneEvent {
  const last = events.at(-1);
  if (last?.type !== 'done') throw new Error(`last event is ${last?.type}`);
  return last;
}

describe('generate() on the tiny fixture (float32)', () => {
  let pipeline: Pipeline;
  let text: CallLog;
  let unet: CallLog;
  let vae: CallLog;
  beforeAll(async () => ({ pipeline, text, unet, vae } = await countedPipeline()));
  afterAll(() => pipeline?.release());

  it('emits start, one step per scheduler timestep in order, then one done', async () => {
    const before = unet.count;
    const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 4, seed: 1 }));
    // PNDM (the fixture's scheduler) with skip_prk_steps runs steps + 1 timesteps, as diffusers does.
    const scheduler = createScheduler('pndm', pipeline.model.schedulerConfig);
    scheduler.setTimesteps(4);
    const total = scheduler.timesteps.length;
    expect(total).toBe(5);

    expect(events[0]).toMatchObject({ type: 'start', seed: 1, totalSteps: total });
    expect(events.map((e) => e.type)).toEqual(['start', ...Array<string>(total).fill('step'), 'done']);
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    expect(steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(steps.every((s) => s.total === total)).toBe(true);
    expect(steps.map((s) => s.timestep)).toEqual([...scheduler.timesteps]);
    expect(unet.count - before).toBe(total);

    const end = done(events);
    expect(end.seed).toBe(1);
    expect(end.images).toHaveLength(1);
    expect(end.images[0]).toMatchObject({ width: 64, height: 64 });
    expect(end.images[0]!.data).toHaveLength(64 * 64 * 3);
    for (const value of Object.values(end.timings)) expect(value).toBeGreaterThanOrEqual(0);
    expect(end.timings.totalMs).toBeGreaterThanOrEqual(end.timings.unetMs);
  });

  it('resolves the request defaults and reports them in start', async () => {
    const events = await collect(pipeline.generate({ prompt: PROMPT, seed: 5, steps: 2 }));
    expect(events[0]).toEqual({
      type: 'start',
      seed: 5,
      totalSteps: 3,
      request: {
        prompt: PROMPT,
        negativePrompt: '',
        steps: 2,
        guidanceScale: 7.5,
        width: 64,
        height: 64,
        seed: 5,
        scheduler: 'pndm',
        noise: 'default',
        batchSize: 1,
        previews: false,
        returnLatents: false,
        concepts: [],
        multiConcept: 'sum',
        globalLocking: false,
      },
    });
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const request = { prompt: PROMPT, steps: 3, seed: 1234 };
    const first = done(await collect(pipeline.generate(request)));
    const second = done(await collect(pipeline.generate(request)));
    const other = done(await collect(pipeline.generate({ ...request, seed: 1235 })));
    expect(sha256(second.images[0]!)).toBe(sha256(first.images[0]!));
    expect(sha256(other.images[0]!)).not.toBe(sha256(first.images[0]!));
  });

  it('picks a random seed when none is given, reports it, and that seed reproduces the image', async () => {
    const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 2 }));
    const start = events[0]!;
    if (start.type !== 'start') throw new Error('no start');
    expect(Number.isInteger(start.seed) && start.seed >= 0 && start.seed < 2 ** 32).toBe(true);
    expect(done(events).seed).toBe(start.seed);
    const again = done(await collect(pipeline.generate({ prompt: PROMPT, steps: 2, seed: start.seed })));
    expect(sha256(again.images[0]!)).toBe(sha256(done(events).images[0]!));
  });

  it('is cold: nothing runs before subscribe, and each subscription is one generation', async () => {
    const counts = [text.count, unet.count, vae.count];
    const events = pipeline.generate({ prompt: PROMPT, steps: 2, seed: 3 });
    await settle(text, unet, vae);
    expect([text.count, unet.count, vae.count]).toEqual(counts);
    const a = done(await collect(events));
    const b = done(await collect(events));
    expect([text.count, unet.count, vae.count]).toEqual([counts[0]! + 2, counts[1]! + 6, counts[2]! + 2]);
    expect(sha256(a.images[0]!)).toBe(sha256(b.images[0]!));
  });

  for (const k of [0, 2, 4]) {
    it(`unsubscribing after step ${k} makes no further UNet (or VAE) call and emits nothing more`, async () => {
      const before = { unet: unet.count, vae: vae.count };
      const seen: GenerationEvent[] = [];
      let completed = false;
      const subscription = pipeline.generate({ prompt: PROMPT, steps: 4, seed: 9 }).subscribe({
        next: (event) => {
          seen.push(event);
          if (event.type === 'step' && event.index === k) subscription.unsubscribe();
        },
        complete: () => (completed = true),
        error: () => (completed = true),
      });
      await new Promise<void>((resolve) => {
        const poll = (): void => void (seen.some((e) => e.type === 'step' && e.index === k) ? resolve() : setTimeout(poll, 5));
        poll();
      });
      await settle(unet, vae);
      expect(unet.count - before.unet).toBe(k + 1);
      expect(vae.count - before.vae).toBe(0);
      expect(stepIndices(seen)).toEqual(Array.from({ length: k + 1 }, (_, i) => i));
      expect(seen.some((e) => e.type === 'done')).toBe(false);
      expect(completed).toBe(false);
    });
  }

  it('take(n) on the events stops the generation the same way', async () => {
    const before = unet.count;
    const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 10, seed: 9 }).pipe(take(3)));
    await settle(unet);
    expect(events.map((e) => e.type)).toEqual(['start', 'step', 'step']);
    expect(unet.count - before).toBe(2);
  });

  it('unsubscribing at start runs no model at all', async () => {
    const counts = [text.count, unet.count, vae.count];
    const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 4, seed: 9 }).pipe(take(1)));
    await settle(text, unet, vae);
    expect(events.map((e) => e.type)).toEqual(['start']);
    expect([text.count, unet.count, vae.count]).toEqual(counts);
  });

  it("startGeneration's handle reports when a cancelled loop has stopped", async () => {
    const before = unet.count;
    const handle = pipeline.startGeneration({ prompt: PROMPT, steps: 6, seed: 2 }, (event) => {
      if (event.type === 'step' && event.index === 1) handle.cancel();
    });
    await expect(handle.finished).resolves.toBe('cancelled');
    expect(unet.count - before).toBe(2);
  });

  const invalid: [string, Record<string, unknown>][] = [
    ['prompt', { prompt: 42 }],
    ['prompt', {}],
    ['negativePrompt', { prompt: 'x', negativePrompt: ['no'] }],
    ['steps', { prompt: 'x', steps: 0 }],
    ['steps', { prompt: 'x', steps: 2.5 }],
    ['steps', { prompt: 'x', steps: 1001 }],
    ['guidanceScale', { prompt: 'x', guidanceScale: -1 }],
    ['guidanceScale', { prompt: 'x', guidanceScale: Number.NaN }],
    ['guidanceScale', { prompt: 'x', guidanceScale: Number.POSITIVE_INFINITY }],
    ['width', { prompt: 'x', width: 60 }],
    ['width', { prompt: 'x', width: 0 }],
    ['height', { prompt: 'x', width: 64, height: 68 }],
    ['height', { prompt: 'x', height: -8 }],
    ['seed', { prompt: 'x', seed: 1.5 }],
    ['seed', { prompt: 'x', seed: 2 ** 53 }],
    ['seed', { prompt: 'x', noise: 'numpy', seed: 2 ** 32 }],
    ['seed', { prompt: 'x', noise: 'numpy', seed: -1 }],
    ['scheduler', { prompt: 'x', scheduler: 'heun' }],
    ['noise', { prompt: 'x', noise: 'philox' }],
    ['batchSize', { prompt: 'x', batchSize: 0 }],
    ['batchSize', { prompt: 'x', batchSize: 9 }],
    ['previews', { prompt: 'x', previews: 'yes' }],
    ['returnLatents', { prompt: 'x', returnLatents: 1 }],
    ['guidance', { prompt: 'x', guidance: 7 }],
  ];
  for (const [field, request] of invalid) {
    it(`rejects ${JSON.stringify(request)} naming request.${field}, before any model runs`, async () => {
      const counts = [text.count, unet.count, vae.count];
      const { error, events } = await failure(pipeline.generate(request as never));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).field).toBe(field);
      expect((error as Error).message).toContain(`request.${field}`);
      expect(events).toEqual([]);
      await settle(text, unet, vae);
      expect([text.count, unet.count, vae.count]).toEqual(counts);
    });
  }

  it('says which value was wrong and what to use', async () => {
    const width = (await failure(pipeline.generate({ prompt: 'x', width: 500 }))).error as Error;
    expect(width.message).toContain('request.width is 500');
    expect(width.message).toContain('multiple of 8');
    expect(width.message).toContain('496 or 504');
    const scheduler = (await failure(pipeline.generate({ prompt: 'x', scheduler: 'heun' }))).error as Error;
    for (const name of ['ddim', 'pndm', 'euler', 'euler-a', 'dpm++2m', 'lms']) expect(scheduler.message).toContain(`"${name}"`);
  });

  it('never swaps width and height', async () => {
    const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 1, seed: 4, width: 64, height: 32, returnLatents: true }));
    expect(done(events).images[0]).toMatchObject({ width: 64, height: 32 });
    expect(done(events).images[0]!.data).toHaveLength(64 * 32 * 3);
    const step = events.find((e): e is StepEvent => e.type === 'step')!;
    expect(step.latents).toHaveLength(1 * 4 * 4 * 8);
  });

  it('makes previews only when asked, one per batch element', async () => {
    const plain = await collect(pipeline.generate({ prompt: PROMPT, steps: 2, seed: 4 }));
    for (const event of plain) if (event.type === 'step') expect('preview' in event || 'latents' in event).toBe(false);
    const withPreviews = await collect(pipeline.generate({ prompt: PROMPT, steps: 2, seed: 4, batchSize: 2, previews: true }));
    const steps = withPreviews.filter((e): e is StepEvent => e.type === 'step');
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      expect(step.preview).toHaveLength(2);
      for (const image of step.preview!) expect(image.data).toHaveLength(image.width * image.height * 3);
      expect(step.latents).toBeUndefined();
    }
  });

  it('returns copies of the latents only when asked; the last ones are what the VAE decodes', async () => {
    const decoded: Float32Array[] = [];
    const local = await loadPipeline(await tinyModel(), {
      configure: (container) => {
        const vae = container.resolve(VAE_DECODER);
        container.register(VAE_DECODER, {
          useValue: new Proxy(vae, {
            get: (object, key, receiver) =>
              key === 'decode'
                ? (latents: { data: Float32Array }) => {
                    decoded.push(latents.data.slice());
                    return object.decode(latents as never);
                  }
                : Reflect.get(object, key, receiver),
          }),
        });
      },
    });
    try {
      const events = await collect(local.generate({ prompt: PROMPT, steps: 3, seed: 4, returnLatents: true }));
      const steps = events.filter((e): e is StepEvent => e.type === 'step');
      expect(steps.every((s) => s.latents instanceof Float32Array && s.latents.length === 4 * 8 * 8)).toBe(true);
      expect(steps[0]!.latents).not.toBe(steps[1]!.latents);
      expect(Array.from(steps.at(-1)!.latents!)).toEqual(Array.from(decoded[0]!));
    } finally {
      await local.release();
    }
  });

  it('generates a batch of distinct images from one seed', async () => {
    const end = done(await collect(pipeline.generate({ prompt: PROMPT, steps: 2, seed: 8, batchSize: 3 })));
    expect(end.images).toHaveLength(3);
    expect(new Set(end.images.map(sha256)).size).toBe(3);
  });

  it('encodes uncond then cond rows with guidance, cond rows only without', async () => {
    const start = unet.args.length;
    const startText = text.args.length;
    await collect(pipeline.generate({ prompt: PROMPT, negativePrompt: 'blurry', steps: 1, seed: 8, batchSize: 2 }));
    await collect(pipeline.generate({ prompt: PROMPT, steps: 1, seed: 8, batchSize: 2, guidanceScale: 1 }));
    const [guidedRows, plainRows] = text.args.slice(startText).map((args) => (args[0] as Int32Array[]).length);
    expect([guidedRows, plainRows]).toEqual([2, 1]);
    const hidden = unet.args.slice(start).map((args) => (args[0] as { encoderHiddenStates: { shape: number[] } }).encoderHiddenStates.shape);
    expect(hidden[0]).toEqual([4, 77, 32]);
    expect(hidden.at(-1)).toEqual([2, 77, 32]);
  });

  it('uses the negative prompt', async () => {
    const a = done(await collect(pipeline.generate({ prompt: PROMPT, steps: 2, seed: 8 })));
    const b = done(await collect(pipeline.generate({ prompt: PROMPT, negativePrompt: 'a blue bird', steps: 2, seed: 8 })));
    expect(sha256(a.images[0]!)).not.toBe(sha256(b.images[0]!));
  });

  it('warns (does not fail) when the prompt is longer than 77 tokens, with the dropped text', async () => {
    const long = Array.from({ length: 90 }, (_, i) => (i === 85 ? 'zebra' : 'cat')).join(' ');
    const events = await collect(pipeline.generate({ prompt: long, steps: 2, seed: 1 }));
    expect(events.map((e) => e.type)).toEqual(['start', 'warning', 'step', 'step', 'step', 'done']);
    const warning = events[1]!;
    if (warning.type !== 'warning' || warning.code !== 'prompt-truncated') throw new Error('no prompt-truncated warning');
    expect(warning.code).toBe('prompt-truncated');
    expect(warning.droppedText).toContain('zebra');
    expect(warning.message).toContain(warning.droppedText);
  });

  it('runs every registered scheduler', async () => {
    for (const scheduler of ['ddim', 'pndm', 'euler', 'euler-a', 'dpm++2m', 'dpm++2m-karras', 'lms']) {
      const events = await collect(pipeline.generate({ prompt: PROMPT, steps: 3, seed: 1, scheduler }));
      expect(events[0]).toMatchObject({ type: 'start', request: { scheduler } });
      expect(done(events).images[0]!.data).toHaveLength(64 * 64 * 3);
    }
  });

  it('reports a failing model call as an error with context, and stops', async () => {
    const failing = await loadPipeline(await tinyModel(), {
      configure: (container) => {
        const real = container.resolve(UNET);
        let calls = 0;
        container.register(UNET, {
          useValue: new Proxy(real, {
            get: (object, key, receiver) =>
              key === 'predictNoise'
                ? (args: never) => (++calls === 2 ? Promise.reject(new Error('out of memory (simulated)')) : object.predictNoise(args))
                : Reflect.get(object, key, receiver),
          }),
        });
      },
    });
    try {
      const { error, events } = await failure(failing.generate({ prompt: PROMPT, steps: 4, seed: 1 }));
      expect(error).toBeInstanceOf(GenerationFailedError);
      expect(error).toMatchObject({ stage: 'denoise-step', stepIndex: 1 });
      expect((error as Error).message).toContain('denoising step 2 of 5');
      expect((error as Error).message).toContain('out of memory (simulated)');
      expect(((error as Error).cause as Error).message).toBe('out of memory (simulated)');
      expect(stepIndices(events)).toEqual([0]);
    } finally {
      await failing.release();
    }
  });
});

describe('providers', () => {
  it('uses a DENOISE_STEP registered through configure', async () => {
    const seen: { index: number; total: number; timestep: number; norm: number }[] = [];
    const logging: DenoiseStep = {
      async step(args: DenoiseStepArgs) {
        let sum = 0;
        for (const v of args.latents) sum += v * v;
        seen.push({ index: args.index, total: args.total, timestep: args.timestep, norm: Math.sqrt(sum) });
        return new DefaultDenoiseStep().step(args);
      },
    };
    const model = await tinyModel();
    const custom = await loadPipeline(model, { configure: (c) => void c.register(DENOISE_STEP, { useValue: logging }) });
    const plain = await loadPipeline(model);
    try {
      const request = { prompt: PROMPT, steps: 3, seed: 11 };
      const a = done(await collect(custom.generate(request)));
      const b = done(await collect(plain.generate(request)));
      expect(seen.map((s) => s.index)).toEqual([0, 1, 2, 3]);
      expect(seen.every((s) => s.total === 4 && s.norm > 0)).toBe(true);
      // It delegates to the default step, so the image is the default pipeline's.
      expect(sha256(a.images[0]!)).toBe(sha256(b.images[0]!));
    } finally {
      await custom.release();
      await plain.release();
    }
  });

  it('uses a SCHEDULER_FACTORY registered through configure (extra scheduler names included)', async () => {
    const made: string[] = [];
    const factory: SchedulerFactory = (name, config) => {
      made.push(name);
      return name === 'ddim-eta' ? new DdimScheduler(config, { eta: 1 }) : createScheduler(name, config);
    };
    const custom = await loadPipeline(await tinyModel(), { configure: (c) => void c.register(SCHEDULER_FACTORY, { useValue: factory }) });
    try {
      const a = await collect(custom.generate({ prompt: PROMPT, steps: 3, seed: 11, scheduler: 'ddim-eta' }));
      const b = await collect(custom.generate({ prompt: PROMPT, steps: 3, seed: 11, scheduler: 'ddim' }));
      expect(made).toEqual(['ddim-eta', 'ddim']);
      expect(a[0]).toMatchObject({ type: 'start', totalSteps: 3, request: { scheduler: 'ddim-eta' } });
      // η = 1 draws fresh noise every step: another image than deterministic DDIM from the same seed.
      expect(sha256(done(a).images[0]!)).not.toBe(sha256(done(b).images[0]!));
      const unknown = await failure(custom.generate({ prompt: PROMPT, scheduler: 'heun' }));
      expect(unknown.error).toBeInstanceOf(InvalidRequestError);
    } finally {
      await custom.release();
    }
  });
});

describe('release()', () => {
  it('errors later generations and a running one with PipelineReleasedError', async () => {
    const { pipeline, unet } = await countedPipeline();
    const { error: running, events } = await failure(
      new Observable<GenerationEvent>((subscriber) =>
        pipeline.generate({ prompt: PROMPT, steps: 10, seed: 1 }).subscribe({
          next: (event) => {
            subscriber.next(event);
            if (event.type === 'step' && event.index === 1) void pipeline.release();
          },
          error: (e: unknown) => subscriber.error(e),
          complete: () => subscriber.complete(),
        }),
      ),
    );
    expect(running).toBeInstanceOf(PipelineReleasedError);
    expect(stepIndices(events)).toEqual([0, 1]);
    expect(unet.count).toBe(2);
    await pipeline.release();
    const later = await failure(pipeline.generate({ prompt: PROMPT }));
    expect(later.error).toBeInstanceOf(PipelineReleasedError);
  });
});
