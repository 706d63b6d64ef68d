import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxSession } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { COLOUR_NAMES, COLOURS, type ColourName } from '@perfusion/toyworld';
import { colourLatents, contrastFactor, inverseSquareFactor, latentContrastFactor, MAX_CONTRAST_FACTOR, medianPairDistance } from '../src/index.js';

/**
 * An encoder whose latent, at every cell of an 8×8 grid, is the picture's mean red, green and blue
 * (in [−1, 1]) and a zero fourth channel: latent distances are then RGB distances scaled by 2 / 255,
 * so every figure below can be worked out by hand.
 */
const rgbEncoder = {
  run: async (feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> => {
    const pixels = feeds['sample']!;
    const [count, , height, width] = pixels.shape as [number, number, number, number];
    const plane = height * width;
    const latent = new Float32Array(count * 4 * 64);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let p = 0; p < plane; p++) sum += (pixels.data as Float32Array)[(n * 3 + c) * plane + p]!;
        latent.fill(sum / plane, (n * 4 + c) * 64, (n * 4 + c + 1) * 64);
      }
    }
    return { latent_sample: new Tensor('float32', latent, [count, 4, 8, 8]) };
  },
} as unknown as OnnxSession;

const rgbDistance = (a: ColourName, b: ColourName): number => Math.hypot(...COLOURS[a].map((v, c) => v - COLOURS[b][c]!));

describe('colourLatents', () => {
  it('gives each palette colour the mean latent of its flat picture, one value per channel', async () => {
    const latents = await colourLatents(rgbEncoder);
    expect([...latents.keys()]).toEqual(COLOUR_NAMES);
    const [r, g, b, zero] = latents.get('orange')!;
    expect([r, g, b]).toEqual(COLOURS.orange.map((v) => expect.closeTo((v / 255) * 2 - 1, 6)));
    expect(zero).toBe(0);
  });

  it('says what it needs when the session gives no 4-d latent', async () => {
    const wrong = { run: async () => ({ latent_sample: new Tensor('float32', new Float32Array(9), [9]) }) } as unknown as OnnxSession;
    await expect(colourLatents(wrong)).rejects.toThrow(/no \[count, channels, height, width\] 'latent_sample'.*give a VAE encoder session/);
  });
});

describe('latentContrastFactor', () => {
  const pairs = COLOUR_NAMES.flatMap((a, i) => COLOUR_NAMES.slice(i + 1).map((b) => [a, b] as const));

  it('takes the median of the 36 pairs’ distances as its reference', async () => {
    const distances = pairs.map(([a, b]) => (rgbDistance(a, b) * 2) / 255).sort((p, q) => p - q);
    expect(pairs).toHaveLength(36);
    expect(medianPairDistance(await colourLatents(rgbEncoder))).toBeCloseTo((distances[17]! + distances[18]!) / 2, 6);
  });

  it('weighs a pair (median / distance)², from 1 to the cap, the same either way round', async () => {
    const factor = await latentContrastFactor(rgbEncoder);
    const median = medianPairDistance(await colourLatents(rgbEncoder));
    for (const [a, b] of pairs) {
      expect(factor(a, b)).toBeCloseTo(inverseSquareFactor(median, (rgbDistance(a, b) * 2) / 255), 5);
      expect(factor(b, a)).toBe(factor(a, b));
    }
    const weights = pairs.map(([a, b]) => factor(a, b));
    // The closer half weighs more than 1 (the two middle pairs straddle the median), the farther half exactly 1.
    expect(weights.filter((w) => w > 1)).toHaveLength(18);
    expect(Math.max(...weights)).toBeLessThanOrEqual(MAX_CONTRAST_FACTOR);
    expect(factor('orange', 'yellow')).toBe(MAX_CONTRAST_FACTOR); // 94.9 apart in RGB, the closest pair
  });
});

describe('latentContrastFactor on the committed toy encoder', () => {
  let encoder: OnnxSession;
  beforeAll(async () => {
    encoder = await OnnxSession.create(path.resolve(import.meta.dirname, '../model/vae_encoder/model.onnx'));
  }, 60_000);
  afterAll(async () => encoder?.release());

  it('weighs yellow on white up, which RGB distance leaves at 1, and the farthest pair not at all', async () => {
    const factor = await latentContrastFactor(encoder);
    expect(contrastFactor('yellow', 'white')).toBe(1);
    expect(factor('yellow', 'white')).toBeGreaterThan(2);
    expect(factor('yellow', 'blue')).toBe(1);
    expect(factor('blue', 'purple')).toBeGreaterThan(factor('yellow', 'white'));
  });
});
