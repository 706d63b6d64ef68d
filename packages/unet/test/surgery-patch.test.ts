import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addGraphOutput, OnnxSession, readModelSync, writeModelSync } from '@perfusion/onnx-graph';
import { Rng, Tensor, toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import {
  editedProjectionOutput,
  noConceptFeeds,
  patchUnetForPerfusion,
  perfusionFeeds,
  readProjectionWeights,
  UNet,
  type CrossAttentionLayer,
  type LayerRows,
  type PatchedUnet,
} from '../src/index.js';
import { copyWithLayout, MINI, REAL_EXPORT, tempDir, tempDirIn, tinyUnet, writeMiniCrossAttention } from './helpers/surgery-models.js';
import { maxAbsDiff, normalTensor } from './helpers/tensors.js';

// Patched models go to the default cache beside each source (the fixture cache; a temporary copy
// of the real export, whose folder is shared): always on the source's file system.
const open: { release(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open.splice(0)) await o.release();
});

async function unet(file: string): Promise<UNet> {
  const u = await UNet.create(file);
  open.push(u);
  return u;
}

async function session(file: string): Promise<OnnxSession> {
  const s = await OnnxSession.create(file);
  open.push(s);
  return s;
}

/** `t` rounded to what a model of `dtype` sees, kept as float32. */
const asModelFloat = (t: Tensor<'float32'>, dtype: 'float32' | 'float16'): Tensor<'float32'> =>
  dtype === 'float16' ? new Tensor('float32', toFloat32Array(toFloat16Array(t.data)), t.shape) : t;
/** `t` in the element type a session input takes. */
const inDType = (t: Tensor<'float32'>, dtype: 'float32' | 'float16'): Tensor => (dtype === 'float16' ? new Tensor('float16', toFloat16Array(t.data), t.shape) : t);
const float32 = (t: Tensor): Float32Array => (t.dtype === 'float16' ? toFloat32Array(t.data as Uint16Array) : (t.data as Float32Array));

/** Rows [2M, width] of M concepts with seeded values, for every layer. */
function randomRows(layers: readonly CrossAttentionLayer[], concepts: number, seed: number): Map<string, LayerRows> {
  const rng = new Rng(seed);
  return new Map(
    layers.map((l) => [l.key, { k: rng.fillNormal(new Float32Array(2 * concepts * l.width)), v: rng.fillNormal(new Float32Array(2 * concepts * l.width)) }]),
  );
}

/** A copy of the real export in a temporary folder (its own folder is shared and must stay untouched). */
let realCopy: Promise<string> | undefined;
function realExportCopy(): Promise<string> {
  realCopy ??= Promise.resolve(copyWithLayout(REAL_EXPORT, tempDir('real-export'), 'inline'));
  return realCopy;
}

const SOURCES = [
  ['tiny float32', () => tinyUnet('float32'), 1e-5],
  ['tiny float16', () => tinyUnet('float16'), 0],
  ['real torch export', realExportCopy, 1e-5],
] as const;

describe('a patched UNet with all coefficients zero computes what the unpatched one does', () => {
  it.each(SOURCES)('%s', async (_, source, tolerance) => {
    const file = await source();
    const patched = await patchUnetForPerfusion(file);
    const [plain, edited] = [await unet(file), await unet(patched.modelPath)];
    const sample = normalTensor(1, [1, 4, 8, 8]);
    const states = normalTensor(2, [2, 77, plain.crossAttentionDim]);
    const args = { sample, timestep: 500, encoderHiddenStates: states, guidanceScale: 7.5 };
    const expected = await plain.predictNoise(args);

    // M = 0: zero-size coefficients [2, 77, 0] and rows [1, 0, width] (an empty sum).
    const none = await edited.predictNoise({ ...args, extraFeeds: noConceptFeeds(patched, 2, 77) });
    expect(maxAbsDiff(none.data, expected.data)).toBeLessThanOrEqual(tolerance);

    // M = 1 with real rows but zero coefficients.
    const coefficients = new Tensor('float32', new Float32Array(2 * 77 * 2), [2, 77, 2]);
    const feeds = perfusionFeeds(patched, { coefficients, layerRows: randomRows(patched.layers, 1, 3) });
    const zero = await edited.predictNoise({ ...args, extraFeeds: feeds });
    expect(maxAbsDiff(zero.data, expected.data)).toBeLessThanOrEqual(tolerance);

    // …and non-zero coefficients do change the output (the inputs are wired in).
    const half = new Tensor('float32', new Float32Array(2 * 77 * 2).fill(0.5), [2, 77, 2]);
    const changed = await edited.predictNoise({ ...args, extraFeeds: perfusionFeeds(patched, { coefficients: half, layerRows: randomRows(patched.layers, 1, 3) }) });
    expect(maxAbsDiff(changed.data, expected.data)).toBeGreaterThan(1e-3);
  });

  it('float16 compute behind float32 inputs (Cast after the input), unnamed nodes', async () => {
    const file = writeMiniCrossAttention(tempDir('mini-cast'), { dtype: 'float16', float32Inputs: true });
    const patched = await patchUnetForPerfusion(file);
    expect([patched.dtype, patched.hiddenStatesDType]).toEqual(['float16', 'float32']);
    const [plain, edited] = [await session(file), await session(patched.modelPath)];
    const feeds = {
      sample: normalTensor(4, [2, MINI.queries, MINI.width]),
      timestep: new Tensor('int64', new BigInt64Array(2), [2]),
      encoder_hidden_states: normalTensor(5, [2, MINI.tokens, MINI.dim]),
    };
    const expected = (await plain.run(feeds)).out_sample!;
    const out = (await edited.run({ ...feeds, ...noConceptFeeds(patched, 2, MINI.tokens) })).out_sample!;
    expect(maxAbsDiff(float32(out), float32(expected))).toBe(0);
    expect(edited.input('perfusion_coeffs').dtype).toBe('float16');
  });
});

/**
 * The patched graph with one layer's projections (before and after the edit) as extra outputs,
 * written beside the cache entry's weights (hard-linked into a probe folder).
 */
function probeModel(patched: PatchedUnet, layer: CrossAttentionLayer, tag: string): string {
  const model = readModelSync(patched.modelPath);
  let graph = model.graph!;
  for (const value of [layer.k.output, layer.v.output, editedProjectionOutput(layer.k), editedProjectionOutput(layer.v)]) {
    graph = addGraphOutput(graph, value, patched.dtype, [null, null, layer.width]);
  }
  model.graph = graph;
  // Beside the cache entry, so its weight links can be linked again.
  const file = path.join(tempDirIn(path.dirname(path.dirname(patched.modelPath)), `probe-${tag}`), 'model.onnx');
  writeModelSync(model, file, { externalDataFrom: path.dirname(patched.modelPath) });
  return file;
}

/** e · W for every token ([tokens, dim] · [dim, width]) in float64, rounded to float32. */
function project(states: Float32Array, weight: Float32Array, dim: number, width: number): Float32Array {
  const tokens = states.length / dim;
  const out = new Float32Array(tokens * width);
  for (let t = 0; t < tokens; t++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let i = 0; i < dim; i++) sum += states[t * dim + i]! * weight[i * width + j]!;
      out[t * width + j] = sum;
    }
  }
  return out;
}

describe('the edit of one layer: gate 1 at one token with rows [−(i·W) ; o] gives i·W − i·W + o = o there, and nothing elsewhere', () => {
  const CASES = [
    ['tiny float32', () => tinyUnet('float32'), 1, 2e-5],
    ['tiny float16', () => tinyUnet('float16'), 1, 2e-2],
    ['real torch export', realExportCopy, 7, 2e-5],
  ] as const;

  it.each(CASES)('%s', async (tag, source, layerIndex, tolerance) => {
    const file = await source();
    const patched = await patchUnetForPerfusion(file);
    const layer = patched.layers[layerIndex]!;
    const { dim, width } = layer;
    const s = await session(probeModel(patched, layer, tag.replace(/ /g, '-')));
    const [weights] = await readProjectionWeights(patched.modelPath, [layer]);

    const tokens = 77;
    const token = 9;
    // The states as the model sees them (rounded to float16 for a float16 model).
    const states = asModelFloat(normalTensor(6, [1, tokens, dim]), patched.hiddenStatesDType);
    const i = states.data.subarray(token * dim, (token + 1) * dim);
    const rng = new Rng(8);
    const oK = rng.fillNormal(new Float32Array(width));
    const oV = rng.fillNormal(new Float32Array(width));
    // Rows for M = 1: [−(i·W) ; o] per projection.
    const rowsFor = (w: Float32Array, o: Float32Array): Float32Array => {
      const rows = new Float32Array(2 * width);
      const iw = project(i, w, dim, width);
      for (let j = 0; j < width; j++) rows[j] = -iw[j]!;
      rows.set(o, width);
      return rows;
    };
    const layerRows = new Map<string, LayerRows>(patched.layers.map((l) => [l.key, { k: new Float32Array(2 * l.width), v: new Float32Array(2 * l.width) }]));
    layerRows.set(layer.key, { k: rowsFor(weights!.k.data, oK), v: rowsFor(weights!.v.data, oV) });
    const coefficients = new Tensor('float32', new Float32Array(tokens * 2), [1, tokens, 2]);
    coefficients.data.set([1, 1], token * 2); // S = 1 and G = 1 at the token, 0 elsewhere

    const out = await s.run({
      sample: inDType(normalTensor(7, [1, 4, 8, 8]), patched.hiddenStatesDType),
      timestep: new Tensor('int64', BigInt64Array.from([500n]), [1]),
      encoder_hidden_states: inDType(states, patched.hiddenStatesDType),
      ...perfusionFeeds(patched, { coefficients, layerRows }),
    });
    const kBefore = float32(out[layer.k.output]!);
    const vBefore = float32(out[layer.v.output]!);
    const kAfter = float32(out[editedProjectionOutput(layer.k)]!);
    const vAfter = float32(out[editedProjectionOutput(layer.v)]!);

    // The unedited projections are e·W of the weights readProjectionWeights returns.
    const scale = patched.dtype === 'float16' ? 1e-2 : 1e-5;
    expect(maxAbsDiff(kBefore, project(states.data, weights!.k.data, dim, width))).toBeLessThanOrEqual(scale * 4);
    expect(maxAbsDiff(vBefore, project(states.data, weights!.v.data, dim, width))).toBeLessThanOrEqual(scale * 4);
    // At the token: the edited key and value are o_K and o_V.
    const at = (a: Float32Array): Float32Array => a.subarray(token * width, (token + 1) * width);
    expect(maxAbsDiff(at(kAfter), oK)).toBeLessThanOrEqual(tolerance);
    expect(maxAbsDiff(at(vAfter), oV)).toBeLessThanOrEqual(tolerance);
    // Every other token is untouched (its coefficients are 0).
    for (let t = 0; t < tokens; t++) {
      if (t === token) continue;
      const row = (a: Float32Array): Float32Array => a.subarray(t * width, (t + 1) * width);
      expect(maxAbsDiff(row(kAfter), row(kBefore))).toBe(0);
      expect(maxAbsDiff(row(vAfter), row(vBefore))).toBe(0);
    }
  });
});

describe('separateKeyStates (global locking)', () => {
  it('K projections read perfusion_key_states, V projections the hidden states', async () => {
    const file = await tinyUnet('float32');
    const patched = await patchUnetForPerfusion(file, { separateKeyStates: true });
    expect(patched.inputs.keyStates).toBe('perfusion_key_states');
    const plain = await unet(file);
    const edited = await unet(patched.modelPath);
    const sample = normalTensor(1, [1, 4, 8, 8]);
    const states = normalTensor(2, [2, 77, 32]);
    const args = { sample, timestep: 500, encoderHiddenStates: states, guidanceScale: 7.5 };
    const expected = await plain.predictNoise(args);
    // Key states = the hidden states and no concept: the unpatched result.
    const same = await edited.predictNoise({ ...args, extraFeeds: noConceptFeeds(patched, 2, 77, states) });
    expect(maxAbsDiff(same.data, expected.data)).toBeLessThanOrEqual(1e-5);

    // Other key states: K = keyStates·W_K, V = states·W_V.
    const layer = patched.layers[0]!;
    const s = await session(probeModel(patched, layer, 'global'));
    const [weights] = await readProjectionWeights(patched.modelPath, [layer]);
    const keyStates = normalTensor(9, [1, 77, 32]);
    const row = new Tensor('float32', states.data.slice(0, 77 * 32), [1, 77, 32]);
    const out = await s.run({
      sample,
      timestep: new Tensor('int64', BigInt64Array.from([500n]), [1]),
      encoder_hidden_states: row,
      ...noConceptFeeds(patched, 1, 77, keyStates),
    });
    expect(maxAbsDiff(out[layer.k.output]!.data as Float32Array, project(keyStates.data, weights!.k.data, 32, layer.width))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(out[layer.v.output]!.data as Float32Array, project(row.data, weights!.v.data, 32, layer.width))).toBeLessThanOrEqual(1e-5);
  });

  it('through the Cast of a float16 model with float32 inputs', async () => {
    const file = writeMiniCrossAttention(tempDir('mini-global'), { dtype: 'float16', float32Inputs: true });
    const patched = await patchUnetForPerfusion(file, { separateKeyStates: true });
    const [plain, edited] = [await session(file), await session(patched.modelPath)];
    expect(edited.input('perfusion_key_states').dtype).toBe('float32');
    const states = normalTensor(5, [1, MINI.tokens, MINI.dim]);
    const feeds = { sample: normalTensor(4, [1, MINI.queries, MINI.width]), timestep: new Tensor('int64', new BigInt64Array(1), [1]) };
    const expected = (await plain.run({ ...feeds, encoder_hidden_states: states })).out_sample!;
    const same = (await edited.run({ ...feeds, encoder_hidden_states: states, ...noConceptFeeds(patched, 1, MINI.tokens, states) })).out_sample!;
    expect(maxAbsDiff(float32(same), float32(expected))).toBe(0);
    const other = (await edited.run({ ...feeds, encoder_hidden_states: states, ...noConceptFeeds(patched, 1, MINI.tokens, normalTensor(6, [1, MINI.tokens, MINI.dim])) })).out_sample!;
    expect(maxAbsDiff(float32(other), float32(expected))).toBeGreaterThan(1e-3);
  });
});
