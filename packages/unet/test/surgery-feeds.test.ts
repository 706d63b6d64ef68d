import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, Tensor, toFloat16Array } from '@perfusion/tensor-core';
import {
  applyGuidance,
  ExtraFeeds,
  layerRowInputs,
  noConceptFeeds,
  patchUnetForPerfusion,
  perfusionFeeds,
  PerfusionFeedsError,
  UNet,
  type LayerRows,
  type PatchedUnet,
} from '../src/index.js';
import { tinyUnet } from './helpers/surgery-models.js';
import { maxAbsDiff, normalTensor } from './helpers/tensors.js';

let fp32: PatchedUnet;
let fp16: PatchedUnet;
let global: PatchedUnet;
beforeAll(async () => {
  fp32 = await patchUnetForPerfusion(await tinyUnet('float32'));
  fp16 = await patchUnetForPerfusion(await tinyUnet('float16'));
  global = await patchUnetForPerfusion(await tinyUnet('float32'), { separateKeyStates: true });
});

function rowsFor(patched: PatchedUnet, concepts: number, seed: number): Map<string, LayerRows> {
  const rng = new Rng(seed);
  return new Map(patched.layers.map((l) => [l.key, { k: rng.fillNormal(new Float32Array(2 * concepts * l.width)), v: rng.fillNormal(new Float32Array(2 * concepts * l.width)) }]));
}

describe('perfusionFeeds', () => {
  it('float32 model: coefficients [rows, tokens, 2M] as given, rows [1, 2M, width] per projection', () => {
    const coefficients = normalTensor(1, [2, 77, 4]);
    const layerRows = rowsFor(fp32, 2, 2);
    const feeds = perfusionFeeds(fp32, { coefficients, layerRows });
    expect(Object.keys(feeds)).toHaveLength(1 + 2 * fp32.layers.length);
    expect(feeds.perfusion_coeffs!.shape).toEqual([2, 77, 4]);
    expect(feeds.perfusion_coeffs!.data).toBe(coefficients.data); // no copy for float32
    const layer = fp32.layers[1]!;
    const names = layerRowInputs(layer.key);
    expect(feeds[names.k]!.shape).toEqual([1, 4, 64]);
    expect(feeds[names.k]!.data).toBe(layerRows.get(layer.key)!.k);
    expect(feeds[names.v]!.data).toBe(layerRows.get(layer.key)!.v);
  });

  it('float16 model: every feed converted to float16 once', () => {
    const coefficients = normalTensor(1, [2, 77, 2]);
    const layerRows = rowsFor(fp16, 1, 2);
    const feeds = perfusionFeeds(fp16, { coefficients, layerRows });
    expect(feeds.perfusion_coeffs!.dtype).toBe('float16');
    expect(feeds.perfusion_coeffs!.data).toEqual(toFloat16Array(coefficients.data));
    const key = fp16.layers[0]!.key;
    expect(feeds[layerRowInputs(key).v]!.data).toEqual(toFloat16Array(layerRows.get(key)!.v));
  });

  it('zero concepts: zero-size coefficients and rows, no layerRows needed', () => {
    const feeds = noConceptFeeds(fp32, 2, 77);
    expect(feeds.perfusion_coeffs!.shape).toEqual([2, 77, 0]);
    expect(feeds[layerRowInputs(fp32.layers[0]!.key).k]!.shape).toEqual([1, 0, 32]);
  });

  it('only the coefficients (and key states) follow the hidden states’ rows, also when 2M equals the row count', async () => {
    const unet = await UNet.create(fp32.modelPath);
    try {
      // B = 1 under guidance: 2 hidden-state rows, and M = 1 concept: 2M = 2 as well.
      const feeds = perfusionFeeds(fp32, { coefficients: normalTensor(1, [2, 77, 2]), layerRows: rowsFor(fp32, 1, 2) });
      expect(new ExtraFeeds(feeds, unet.io.extraInputs, 2).alignedNames).toEqual(['perfusion_coeffs']);
    } finally {
      await unet.release();
    }
    const withKeys = await UNet.create(global.modelPath);
    try {
      const feeds = noConceptFeeds(global, 2, 77, normalTensor(3, [2, 77, 32]));
      expect(new ExtraFeeds(feeds, withKeys.io.extraInputs, 2).alignedNames.sort()).toEqual(['perfusion_coeffs', 'perfusion_key_states']);
    } finally {
      await withKeys.release();
    }
  });

  it('errors say what does not fit', () => {
    const coefficients = normalTensor(1, [2, 77, 2]);
    const layerRows = rowsFor(fp32, 1, 2);
    const fail = (args: Parameters<typeof perfusionFeeds>[1], message: RegExp, model: PatchedUnet = fp32): void => {
      expect(() => perfusionFeeds(model, args)).toThrow(PerfusionFeedsError);
      expect(() => perfusionFeeds(model, args)).toThrow(message);
    };
    fail({ coefficients: normalTensor(1, [2, 77, 3]), layerRows }, /3 columns; expected 2M/);
    fail({ coefficients: normalTensor(1, [2, 154]) as Tensor<'float32'>, layerRows }, /must be float32 \[rows, tokens, 2M\], got float32 \[2, 154\]/);
    const missing = new Map(layerRows);
    missing.delete(fp32.layers[2]!.key);
    fail({ coefficients, layerRows: missing }, /no rows for layer '\/up_blocks\.1\/attentions\.0\/transformer_blocks\.0\/attn2'/);
    const short = new Map(layerRows);
    short.set(fp32.layers[1]!.key, { k: new Float32Array(64), v: layerRows.get(fp32.layers[1]!.key)!.v });
    fail({ coefficients, layerRows: short }, /'\/mid_block\/attentions\.0\/transformer_blocks\.0\/attn2' K rows have 64 values; expected 2 × 64 = 128/);
    const extra = new Map(layerRows);
    extra.set('/elsewhere/attn2', layerRows.get(fp32.layers[0]!.key)!);
    fail({ coefficients, layerRows: extra }, /'\/elsewhere\/attn2', which is not a cross-attention layer of this model/);
    fail({ coefficients, layerRows, keyStates: normalTensor(1, [2, 77, 32]) }, /patched without separateKeyStates/);
    fail({ coefficients, layerRows: rowsFor(global, 1, 2) }, /needs keyStates \[2, 77, d\]/, global);
    fail({ coefficients, layerRows: rowsFor(global, 1, 2), keyStates: normalTensor(1, [1, 77, 32]) }, /keyStates is float32 \[1, 77, 32\]; expected float32 \[2, 77, 32\]/, global);
  });
});

describe('predictNoise with Perfusion feeds: batched, sequential and unguided calls agree', () => {
  const units: UNet[] = [];
  afterAll(async () => {
    for (const u of units.splice(0)) await u.release();
  });

  it('unconditional rows first, split with the hidden states', async () => {
    const batched = await UNet.create(fp32.modelPath, { guidanceBatching: 'batched' });
    const sequential = await UNet.create(fp32.modelPath, { guidanceBatching: 'sequential' });
    units.push(batched, sequential);
    const sample = normalTensor(1, [1, 4, 8, 8]);
    const states = normalTensor(2, [2, 77, 32]);
    const layerRows = rowsFor(fp32, 1, 3);
    // Different coefficients per row: the unconditional row gets small ones, the conditional row large ones.
    const coefficients = new Tensor('float32', new Float32Array(2 * 77 * 2), [2, 77, 2]);
    for (let t = 0; t < 77; t++) {
      coefficients.data.set([0.05, 0.01], t * 2);
      coefficients.data.set([0.8, 0.9], 154 + t * 2);
    }
    const extraFeeds = perfusionFeeds(fp32, { coefficients, layerRows });
    const args = { sample, timestep: 300, encoderHiddenStates: states, guidanceScale: 5, extraFeeds };

    const a = await batched.predictNoise(args);
    const b = await sequential.predictNoise(args);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-5);

    // The same by hand: each half alone, unguided, with its own coefficients, then guidance.
    const half = (t: Tensor<'float32'>, i: number): Tensor<'float32'> => {
      const size = t.size / 2;
      return new Tensor('float32', t.data.slice(i * size, (i + 1) * size), [1, ...t.shape.slice(1)]);
    };
    const run = (i: number) =>
      batched.predictNoise({ sample, timestep: 300, encoderHiddenStates: half(states, i), guidanceScale: 1, extraFeeds: perfusionFeeds(fp32, { coefficients: half(coefficients, i), layerRows }) });
    const [uncond, cond] = [await run(0), await run(1)];
    const manual = applyGuidance(uncond.data, cond.data, 5, new Float32Array(uncond.size));
    expect(maxAbsDiff(a.data, manual)).toBeLessThanOrEqual(1e-5);

    // Guidance off with 2B rows given: the conditional half of everything.
    const unguided = await batched.predictNoise({ ...args, guidanceScale: 1 });
    expect(maxAbsDiff(unguided.data, cond.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(uncond.data, cond.data)).toBeGreaterThan(1e-3);
  });
});
