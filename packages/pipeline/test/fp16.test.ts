import { loadPipeline, type StepEvent } from '@perfusion/pipeline';
import { describe, expect, it } from 'vitest';
import { collect, sha256, tinyModel } from './support/helpers.js';

describe('the float16 fixture', () => {
  it('generates finite latents and an image, deterministically', async () => {
    const pipeline = await loadPipeline(await tinyModel('float16'));
    try {
      const request = { prompt: 'a lighthouse at dusk', negativePrompt: 'fog', steps: 4, seed: 21, returnLatents: true, batchSize: 2 };
      const events = await collect(pipeline.generate(request));
      const steps = events.filter((e): e is StepEvent => e.type === 'step');
      expect(steps).toHaveLength(5);
      for (const step of steps) {
        expect(step.latents).toHaveLength(2 * 4 * 8 * 8);
        expect(step.latents!.every(Number.isFinite)).toBe(true);
      }
      const done = events.at(-1);
      if (done?.type !== 'done') throw new Error('no done event');
      expect(done.images).toHaveLength(2);
      for (const image of done.images) expect(image).toMatchObject({ width: 64, height: 64 });
      // Not a constant image: the decoder produced varying (finite, hence quantised) pixels.
      expect(new Set(done.images[0]!.data).size).toBeGreaterThan(1);
      const again = (await collect(pipeline.generate(request))).at(-1);
      if (again?.type !== 'done') throw new Error('no done event');
      expect(sha256(again.images[1]!)).toBe(sha256(done.images[1]!));
    } finally {
      await pipeline.release();
    }
  });
});
