import { describe, expect, it } from 'vitest';
import { Rng, type Tensor } from '@perfusion/tensor-core';
import { autoencoderStage, OBJECT_PIXEL_WEIGHT, SMALL_BOX_WEIGHT_FACTOR } from '../src/index.js';

/** Weighted-up pixels of the batch whose colour is its picture's background (the colour of pixel 0, 0, which no object reaches). */
function weightedBackgroundPixels(feeds: Record<string, Tensor>): number {
  const sample = feeds['sample']!.data as Float32Array;
  const weights = feeds['pixel_weights']!.data as Float32Array;
  const plane = 64 * 64;
  let count = 0;
  for (let n = 0; n < weights.length / plane; n++) {
    const colour = (p: number): string => [0, 1, 2].map((c) => sample[(n * 3 + c) * plane + p]).join();
    for (let p = 0; p < plane; p++) if (weights[n * plane + p] === OBJECT_PIXEL_WEIGHT && colour(p) === colour(0)) count++;
  }
  return count;
}

describe('the reconstruction stages’ batches', () => {
  it('refuse latent contrast and low-contrast scenes, which need the encoder outside the graph, saying where they apply', () => {
    expect(() => autoencoderStage({ lowContrastScenesFrom: 5 })).toThrow(/autoencoder stage has no frozen encoder.*lowContrastScenesFrom \(5\).*diffusion stage, or the decoder stage with generatedLatentsFrom/);
    expect(() => autoencoderStage({ latentContrastFrom: 7 })).toThrow(/autoencoder stage has no frozen encoder.*latentContrastFrom \(7\)/);
  });

  it('weigh object pixels up before boxWeightFrom and whole object boxes, background included, from it on', async () => {
    const stage = autoencoderStage({ boxWeightFrom: 5 });
    const before = await stage.batch(new Rng(1).fork(4), 3, 4);
    const after = await stage.batch(new Rng(1).fork(5), 3, 5);
    expect(before['pixel_weights']!.shape).toEqual([3, 1, 64, 64]);
    expect(new Set(before['pixel_weights']!.data as Float32Array)).toEqual(new Set([1, OBJECT_PIXEL_WEIGHT]));
    expect(weightedBackgroundPixels(before)).toBe(0);
    expect(weightedBackgroundPixels(after)).toBeGreaterThan(0);
    expect(Object.keys(after).sort()).toEqual(['noise', 'pixel_weights', 'sample']);
  }, 120_000);

  it('weigh small objects\' boxes up by the small-box factor from smallBoxWeightFrom on', async () => {
    const stage = autoencoderStage({ boxWeightFrom: 0, smallBoxWeightFrom: 5 });
    const weights = async (step: number): Promise<Set<number>> => new Set((await stage.batch(new Rng(1).fork(step), 8, step))['pixel_weights']!.data as Float32Array);
    expect(SMALL_BOX_WEIGHT_FACTOR).toBe(4);
    expect(await weights(4)).not.toContain(OBJECT_PIXEL_WEIGHT * SMALL_BOX_WEIGHT_FACTOR);
    expect(await weights(5)).toContain(OBJECT_PIXEL_WEIGHT * SMALL_BOX_WEIGHT_FACTOR);
  }, 120_000);

  it('draw their scenes as before until hardShapesFrom, and with small hard shapes from it on', async () => {
    const plain = autoencoderStage({ boxWeightFrom: 0 });
    const hard = autoencoderStage({ boxWeightFrom: 0, hardShapesFrom: 5 });
    const batch = async (stage: typeof plain, step: number): Promise<Float32Array> => (await stage.batch(new Rng(2).fork(step), 6, step))['sample']!.data as Float32Array;
    expect(await batch(hard, 4)).toEqual(await batch(plain, 4));
    expect(await batch(hard, 5)).not.toEqual(await batch(plain, 5));
  }, 120_000);
});
