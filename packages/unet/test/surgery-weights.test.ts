import { describe, expect, it } from 'vitest';
import { readModelSync, tensorFromProto } from '@perfusion/onnx-graph';
import { toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import {
  baseModelFingerprint,
  CrossAttentionStructureError,
  findCrossAttentionLayers,
  readProjectionWeights,
  UnetArgumentError,
  type CrossAttentionLayer,
  type LayerWeights,
} from '../src/index.js';
import { copyWithLayout, REAL_EXPORT, sd15ZerosUnet, tempDir, tinyUnet } from './helpers/surgery-models.js';

const layersOf = (file: string): CrossAttentionLayer[] => findCrossAttentionLayers(readModelSync(file).graph!, file);

async function weightsOf(file: string): Promise<{ layers: CrossAttentionLayer[]; weights: LayerWeights[] }> {
  const layers = layersOf(file);
  return { layers, weights: await readProjectionWeights(file, layers) };
}

describe('readProjectionWeights', () => {
  it('reads each layer’s K and V weight, [dim, width] float32, the same from every weight layout', async () => {
    const source = await tinyUnet('float32');
    const { layers, weights } = await weightsOf(source);
    const model = readModelSync(source);
    const init = (name: string): Float32Array => tensorFromProto(model.graph!.initializer.find((t) => t.name === name)!).data as Float32Array;
    expect(weights.map((w) => w.key)).toEqual(layers.map((l) => l.key));
    weights.forEach((w, i) => {
      expect(w.k.width).toBe(layers[i]!.width);
      expect(w.k.data.length).toBe(32 * layers[i]!.width);
      expect(w.k.data).toEqual(init(layers[i]!.k.weight));
      expect(w.v.data).toEqual(init(layers[i]!.v.weight));
      expect(w.k.data).not.toEqual(w.v.data);
    });
    for (const layout of ['single-file', 'per-tensor'] as const) {
      const copy = copyWithLayout(source, tempDir(`weights-${layout}`), layout);
      expect(await readProjectionWeights(copy, layers), layout).toEqual(weights);
    }
  });

  it('widens float16 weights exactly', async () => {
    const source = await tinyUnet('float16');
    const { layers, weights } = await weightsOf(source);
    const model = readModelSync(source);
    const bits = tensorFromProto(model.graph!.initializer.find((t) => t.name === layers[2]!.v.weight)!).data as Uint16Array;
    expect(weights[2]!.v.data).toEqual(toFloat32Array(bits));
  });

  it('reads the sd15 layers from a 3.4 GB weight file by range', async () => {
    const file = await sd15ZerosUnet();
    const { layers, weights } = await weightsOf(file);
    expect(weights.map((w) => w.k.data.length)).toEqual(layers.map((l) => 768 * l.width));
    expect(weights.every((w) => w.v.data.every((x) => x === 0))).toBe(true);
    expect(baseModelFingerprint(layers, weights)).toMatch(/^unet-v1-L16-d768-W12480-[0-9a-f]{32}$/);
  });

  it('refuses layers of another model', async () => {
    const real = layersOf(REAL_EXPORT);
    await expect(readProjectionWeights(await tinyUnet(), real)).rejects.toThrow(CrossAttentionStructureError);
  });
});

describe('baseModelFingerprint', () => {
  it('is the same for the float32 and float16 exports of one model, and differs for another model', async () => {
    const fp32 = await weightsOf(await tinyUnet('float32', 0));
    const fp16 = await weightsOf(await tinyUnet('float16', 0));
    const other = await weightsOf(await tinyUnet('float32', 1));
    const a = baseModelFingerprint(fp32.layers, fp32.weights);
    expect(a).toMatch(/^unet-v1-L4-d32-W160-[0-9a-f]{32}$/);
    expect(baseModelFingerprint(fp16.layers, fp16.weights)).toBe(a);
    expect(baseModelFingerprint(other.layers, other.weights)).not.toBe(a);
    const real = await weightsOf(REAL_EXPORT);
    expect(baseModelFingerprint(real.layers, real.weights)).toMatch(/^unet-v1-L16-d32-W864-/);
  });

  it('ignores differences below float16 precision, not above', async () => {
    const { layers, weights } = await weightsOf(await tinyUnet('float32', 0));
    const base = baseModelFingerprint(layers, weights);
    const nudged = (factor: number): LayerWeights[] =>
      weights.map((w, i) => {
        if (i !== 1) return w;
        const data = w.v.data.slice();
        // Move one weight by `factor` of its float16 spacing (2^-10 relative): below half a step it rounds back.
        data[5] = data[5]! * (1 + factor * 2 ** -10);
        return { ...w, v: { ...w.v, data } };
      });
    const weight = weights[1]!.v.data[5]!;
    expect(toFloat16Array(new Float32Array([weight * (1 + 0.01 * 2 ** -10)]))[0]).toBe(toFloat16Array(new Float32Array([weight]))[0]);
    expect(baseModelFingerprint(layers, nudged(0.01))).toBe(base);
    expect(baseModelFingerprint(layers, nudged(4))).not.toBe(base);
  });

  it('depends on layer keys and widths; weights must match the layers', async () => {
    const { layers, weights } = await weightsOf(await tinyUnet('float32', 0));
    const base = baseModelFingerprint(layers, weights);
    const renamed = layers.map((l, i) => ({ ...l, key: `cross_attention.${i}` }));
    const renamedWeights = weights.map((w, i) => ({ ...w, key: `cross_attention.${i}` }));
    expect(baseModelFingerprint(renamed, renamedWeights)).not.toBe(base);
    expect(() => baseModelFingerprint(layers, weights.slice(1))).toThrow(UnetArgumentError);
    expect(() => baseModelFingerprint(layers, [weights[1]!, weights[0]!, ...weights.slice(2)])).toThrow(/do not belong to layer/);
  });
});
