import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '@perfusion/fixtures';
import { copyNode, readModelSync, type ModelProto } from '@perfusion/onnx-graph';
import { CrossAttentionStructureError, findCrossAttentionLayers, NoCrossAttentionError, type CrossAttentionLayer } from '../src/index.js';
import { REAL_EXPORT, sd15ZerosUnet, tempDir, tinyUnet, writeMiniCrossAttention } from './helpers/surgery-models.js';

const find = (file: string): CrossAttentionLayer[] => findCrossAttentionLayers(readModelSync(file).graph!, file);

/** Every layer's K and V carry the diffusers names of its key: to_k for K, to_v for V. */
function expectNamesMatch(layers: CrossAttentionLayer[]): void {
  for (const layer of layers) {
    expect(layer.k.name).toBe(`${layer.key}/to_k/MatMul`);
    expect(layer.v.name).toBe(`${layer.key}/to_v/MatMul`);
    expect(layer.key).toMatch(/\/attn2$/);
  }
}

describe('findCrossAttentionLayers', () => {
  it.each(['float32', 'float16'] as const)('tiny %s: 4 layers in graph order, K and V told apart by the graph', async (dtype) => {
    const layers = find(await tinyUnet(dtype));
    expect(layers.map((l) => l.key)).toEqual([
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2',
      '/mid_block/attentions.0/transformer_blocks.0/attn2',
      '/up_blocks.1/attentions.0/transformer_blocks.0/attn2',
      '/up_blocks.1/attentions.1/transformer_blocks.0/attn2',
    ]);
    expect(layers.map((l) => l.width)).toEqual([32, 64, 32, 32]);
    expect(layers.every((l) => l.dim === 32 && l.k.dtype === dtype && l.v.dtype === dtype)).toBe(true);
    expect(layers.every((l) => l.k.activation === 'encoder_hidden_states' && l.v.activation === 'encoder_hidden_states')).toBe(true);
    expectNamesMatch(layers);
  });

  it('the real torch.onnx export: 16 layers, widths 32/64/64/64 per block level', () => {
    const layers = find(REAL_EXPORT);
    expect(layers).toHaveLength(16);
    expect(layers.map((l) => l.width)).toEqual([32, 32, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 32, 32, 32]);
    expect(layers[0]!.key).toBe('/down_blocks.0/attentions.0/transformer_blocks.0/attn2');
    expect(layers[6]!.key).toBe('/mid_block/attentions.0/transformer_blocks.0/attn2');
    expect(layers[15]!.key).toBe('/up_blocks.3/attentions.2/transformer_blocks.0/attn2');
    expect(new Set(layers.map((l) => l.k.weight)).size).toBe(16);
    expectNamesMatch(layers);
  });

  it.each(['float32', 'float16'] as const)('sd15 %s (zero weights): exactly 16 K and 16 V projections, widths 320×5, 640×5, 1280×6', async (dtype) => {
    const layers = find(await sd15ZerosUnet(dtype));
    expect(layers).toHaveLength(16);
    expect(layers.map((l) => l.width)).toEqual([320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 640, 640, 640, 320, 320, 320]);
    expect(layers.every((l) => l.dim === 768 && l.k.dtype === dtype)).toBe(true);
    expect(new Set(layers.flatMap((l) => [l.k.output, l.v.output])).size).toBe(32);
    expectNamesMatch(layers);
  });

  it('follows the graph, not the names: with to_k and to_v names swapped, K is still the projection that meets the query', async () => {
    const file = await tinyUnet();
    const model = readModelSync(file);
    const truth = findCrossAttentionLayers(model.graph!, file);
    const swap = (name: string): string => name.replace('/to_k/', '/to_TMP/').replace('/to_v/', '/to_k/').replace('/to_TMP/', '/to_v/');
    model.graph!.node = model.graph!.node.map((n) => copyNode(n, { name: swap(n.name) }));
    const layers = findCrossAttentionLayers(model.graph!, file);
    expect(layers.map((l) => [l.k.output, l.v.output])).toEqual(truth.map((l) => [l.k.output, l.v.output]));
    // The names no longer have the diffusers form (K named to_v), so keys are index-based.
    expect(layers.map((l) => l.key)).toEqual(['cross_attention.0', 'cross_attention.1', 'cross_attention.2', 'cross_attention.3']);
  });

  it('finds projections behind a Cast (float16 compute with float32 inputs) in unnamed graphs', () => {
    const file = writeMiniCrossAttention(tempDir('find-cast'), { dtype: 'float16', float32Inputs: true });
    const [layer, ...rest] = find(file);
    expect(rest).toHaveLength(0);
    expect(layer!.key).toBe('cross_attention.0');
    expect([layer!.width, layer!.dim, layer!.k.dtype]).toEqual([8, 6, 'float16']);
    expect(layer!.k.activation).not.toBe('encoder_hidden_states'); // the Cast's output
    expect(layer!.k.activation).toBe(layer!.v.activation);
    expect(layer!.k.name).toBe('');
    // K is the projection whose weight was created second (to_q, to_k, to_v).
    const model = readModelSync(file);
    const weights = model.graph!.initializer.map((t) => t.name);
    expect(weights.indexOf(layer!.k.weight)).toBe(1);
    expect(weights.indexOf(layer!.v.weight)).toBe(2);
  });

  it('a graph without cross-attention gets a NoCrossAttentionError naming the file', async () => {
    const dir = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
    const vae = path.join(dir, 'vae_decoder', 'model.onnx');
    expect(() => find(vae)).toThrow(NoCrossAttentionError);
    expect(() => find(vae)).toThrow(`${vae}: no cross-attention found: the graph has no input 'encoder_hidden_states'`);

    // The text states are an input but feed no projection.
    const model: ModelProto = readModelSync(await tinyUnet());
    const graph = model.graph!;
    const replaced = graph.node.map((n) => (n.input[0] === 'encoder_hidden_states' ? copyNode(n, { input: ['sample_dummy', ...n.input.slice(1)] }) : n));
    expect(() => findCrossAttentionLayers({ ...graph, node: replaced }, 'unet/model.onnx')).toThrow(
      /unet\/model\.onnx: no cross-attention found: no MatMul multiplies 'encoder_hidden_states' by a weight \(it feeds nothing\)/,
    );
  });

  it('a MatMul of the text states that is neither K nor V is reported, not silently left unpatched', () => {
    const file = writeMiniCrossAttention(tempDir('find-stray'), { named: true, strayProjection: true });
    expect(() => find(file)).toThrow(CrossAttentionStructureError);
    expect(() => find(file)).toThrow(/neither the key nor the value projection of an attention.*'\/stray\/MatMul'/);
  });
});
