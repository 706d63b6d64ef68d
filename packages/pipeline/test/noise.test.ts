import { DENOISE_STEP, DefaultDenoiseStep, NOISE_FACTORY, loadPipeline, type DenoiseStep, type NoiseFactory, type Pipeline } from '@perfusion/pipeline';
import { createScheduler } from '@perfusion/scheduler';
import { NumpyRandomState, TorchGenerator, createNoiseSource } from '@perfusion/tensor-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, tinyModel } from './support/helpers.js';

/** The pipeline's first latents (what step 0 receives), by generation. */
const firstLatents: Float32Array[] = [];
const capture: DenoiseStep = {
  step(args) {
    if (args.index === 0) firstLatents.push(args.latents.slice());
    return new DefaultDenoiseStep().step(args);
  },
};

const made: [string, number][] = [];
const recordingNoise: NoiseFactory = (mode, seed) => {
  made.push([mode, seed]);
  return createNoiseSource(mode, seed);
};

/** `noise × init_noise_sigma` in float32, as diffusers' prepare_latents computes it. */
function scaled(noise: Float32Array, sigma: number): number[] {
  return Array.from(noise, (v) => Math.fround(v * Math.fround(sigma)));
}

describe('initial latents', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await loadPipeline(await tinyModel(), {
      configure: (c) => {
        c.register(DENOISE_STEP, { useValue: capture });
        c.register(NOISE_FACTORY, { useValue: recordingNoise });
      },
    });
  });
  afterAll(() => pipeline?.release());

  async function latentsOf(request: Parameters<Pipeline['generate']>[0]): Promise<Float32Array> {
    firstLatents.length = 0;
    await collect(pipeline.generate(request));
    expect(firstLatents).toHaveLength(1);
    return firstLatents[0]!;
  }

  function sigmaOf(name: string): number {
    const scheduler = createScheduler(name, pipeline.model.schedulerConfig);
    scheduler.setTimesteps(2);
    return scheduler.initNoiseSigma;
  }

  for (const scheduler of ['pndm', 'euler']) {
    it(`torch mode: one torch.randn([B,4,h,w]) from manual_seed(seed), × init_noise_sigma (${scheduler})`, async () => {
      const latents = await latentsOf({ prompt: 'a cat', steps: 2, seed: 42, noise: 'torch', batchSize: 2, scheduler });
      expect(latents).toHaveLength(2 * 4 * 8 * 8);
      const expected = scaled(new TorchGenerator(42).randn(2 * 4 * 8 * 8), sigmaOf(scheduler));
      expect(Array.from(latents)).toEqual(expected);
    });

    it(`numpy mode: RandomState(seed).randn(B,4,h,w).astype(float32), × init_noise_sigma (${scheduler})`, async () => {
      const latents = await latentsOf({ prompt: 'a cat', steps: 2, seed: 7, noise: 'numpy', scheduler });
      const expected = scaled(new NumpyRandomState(7).fillNormal(new Float32Array(4 * 8 * 8)), sigmaOf(scheduler));
      expect(Array.from(latents)).toEqual(expected);
    });
  }

  it("default mode: this project's generator", async () => {
    const latents = await latentsOf({ prompt: 'a cat', steps: 2, seed: 3, width: 32, height: 16 });
    expect(latents).toHaveLength(4 * 2 * 4);
    expect(Array.from(latents)).toEqual(Array.from(createNoiseSource('default', 3).fillNormal(new Float32Array(32))));
  });

  it('asks the NOISE_FACTORY for one source per generation with the request mode and seed', async () => {
    made.length = 0;
    await latentsOf({ prompt: 'a cat', steps: 1, seed: 5, noise: 'numpy' });
    await latentsOf({ prompt: 'a cat', steps: 1, seed: 6, noise: 'torch' });
    expect(made).toEqual([
      ['numpy', 5],
      ['torch', 6],
    ]);
  });

  it('ancestral schedulers continue the same stream: deterministic per seed and mode', async () => {
    const run = async (seed: number) => {
      const events = await collect(pipeline.generate({ prompt: 'a cat', steps: 3, seed, noise: 'torch', scheduler: 'euler-a', returnLatents: true }));
      const last = events.filter((e) => e.type === 'step').at(-1);
      return last?.type === 'step' ? Array.from(last.latents!) : [];
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
