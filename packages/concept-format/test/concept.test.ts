import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '@perfusion/tensor-core';
import {
  CONCEPT_FORMAT_VERSION,
  compatibility,
  decodeConcept,
  encodeConcept,
  inspectConcept,
  readConcept,
  readSafetensors,
  writeConcept,
  type ConceptToWrite,
} from '@perfusion/concept-format';
import { randomConcept, sd15Layers } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'concept-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flat = (c: ConceptToWrite) => [c.inputEncoding, c.superEncoding, c.wordEmbedding, ...c.valueTargets.map((t) => t.target)];

/**
 * The float16 nearest to x (ties to the even bit pattern), by bisection over the finite
 * non-negative halves, whose values grow with their bit patterns — independent of tensor-core's
 * bit-manipulating converter. Values beyond the largest half are not asked for here.
 */
function nearestHalf(x: number): number {
  if (x < 0 || Object.is(x, -0)) return -nearestHalf(-x);
  let lo = 0;
  let hi = 0x7bff; // largest finite half, 65504
  if (x >= halfValue(hi)) return halfValue(hi);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (halfValue(mid) <= x) lo = mid;
    else hi = mid;
  }
  const dLo = x - halfValue(lo);
  const dHi = halfValue(hi) - x;
  return dLo < dHi || (dLo === dHi && (lo & 1) === 0) ? halfValue(lo) : halfValue(hi);
}

function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  return exp === 0 ? sign * frac * 2 ** -24 : sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

describe('round trip', () => {
  it('float32 keeps every value exactly, and all metadata', async () => {
    const concept = randomConcept(1);
    const path = join(dir, 'cat-f32.safetensors');
    const { byteLength } = await writeConcept(path, concept, { dtype: 'float32' });
    const back = await readConcept(path);
    expect(byteLength).toBe(readFileSync(path).length);
    expect(back.formatVersion).toBe(CONCEPT_FORMAT_VERSION);
    expect(back.dtype).toBe('float32');
    expect(back.token).toBe('<my-cat>');
    expect(back.supercategory).toBe('cat');
    expect(back.baseModel).toEqual(concept.baseModel);
    expect(back.defaults).toEqual({ beta: 0.7, tau: 0.15 });
    expect(back.training).toEqual(concept.training);
    expect(back.createdBy).toBe('@perfusion/concept-format');
    expect(back.valueTargets.map(({ layer, width }) => ({ layer, width }))).toEqual(sd15Layers());
    flat(back).forEach((values, i) => expect(values).toEqual(flat(concept)[i]));
    for (const t of back.valueTargets) expect(t.target).toBeInstanceOf(Float32Array);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('float16 stores each value rounded to the nearest half (ties to even), read back exactly', async () => {
    const concept = randomConcept(2, [{ layer: '/l0', width: 300 }], 64, 40);
    // Push values into the subnormal and large ranges too.
    concept.valueTargets[0]!.target.forEach((v, i, a) => (a[i] = v * 10 ** ((i % 11) - 6)));
    concept.wordEmbedding.set([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, -65519, 2 ** -25, 3 * 2 ** -26, -0]);
    const back = decodeConcept(encodeConcept(concept, { dtype: 'float16' }));
    expect(back.dtype).toBe('float16');
    flat(back).forEach((values, k) => {
      const original = flat(concept)[k]!;
      for (let i = 0; i < values.length; i++) {
        expect(Object.is(values[i], nearestHalf(original[i]!)) || values[i] === nearestHalf(original[i]!)).toBe(true);
      }
    });
    expect(Array.from(back.wordEmbedding.subarray(0, 7))).toEqual([1, 1 + 2 ** -9, 65504, -65504, 0, 2 ** -24, -0]);
    expect(Object.is(back.wordEmbedding[6], -0)).toBe(true);
    // A float16 file re-read and re-written as float16 is unchanged.
    expect(encodeConcept(back, { dtype: 'float16' })).toEqual(encodeConcept(concept, { dtype: 'float16' }));
    // Sanity of the independent search against tensor-core's converter on a few values.
    for (const x of [0.1, 3.14159, 1e-6, 60000]) expect(nearestHalf(x)).toBe(float16ToFloat32(float32ToFloat16(x)));
  });

  it('reads from bytes as from a path, and a written file decodes to the same concept', async () => {
    const concept = randomConcept(3, sd15Layers().slice(0, 3), 16);
    const path = join(dir, 'small.safetensors');
    await writeConcept(path, concept);
    const fromPath = await readConcept(path);
    const fromBytes = await readConcept(new Uint8Array(readFileSync(path)));
    expect(fromBytes).toEqual(fromPath);
    expect(encodeConcept(fromPath)).toEqual(new Uint8Array(readFileSync(path)));
  });

  it('writes deterministic bytes with the tensors and metadata in the documented order', () => {
    const concept = randomConcept(4, sd15Layers().slice(0, 2), 8);
    const bytes = encodeConcept(concept);
    expect(encodeConcept(concept)).toEqual(bytes);
    const file = readSafetensors(bytes);
    expect(file.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['input_encoding', 'F32', [8]],
      ['super_encoding', 'F32', [8]],
      ['word_embedding', 'F32', [8]],
      ['value_targets', 'F32', [640]],
    ]);
    expect(Object.keys(file.metadata)).toEqual(['format', 'format_version', 'token', 'supercategory', 'base_model', 'defaults', 'dtype', 'layers', 'training', 'created_by']);
    expect(file.metadata['layers']).toBe(JSON.stringify(sd15Layers().slice(0, 2)));
    expect(file.headerByteLength % 8).toBe(0);
  });
});

describe('size of an SD-1.5 concept (d = 768, 16 layers, 12,480 value-target floats)', () => {
  // Realistic metadata: optimum's layer names, a sha256 fingerprint, a model name and a training summary.
  const concept = randomConcept(5);

  it('is at most 64 KB in float32 and 32 KB in float16', () => {
    const f32 = encodeConcept(concept, { dtype: 'float32' });
    const f16 = encodeConcept(concept, { dtype: 'float16' });
    const floats = 12_480 + 3 * 768;
    expect(readSafetensors(f32).dataByteLength).toBe(floats * 4);
    expect(readSafetensors(f16).dataByteLength).toBe(floats * 2);
    expect(f32.length).toBeLessThanOrEqual(64_000);
    expect(f16.length).toBeLessThanOrEqual(32_000);
    // Recorded in docs/concept-format.md ("Sizes").
    expect({ f32: f32.length, f16: f16.length }).toEqual({ f32: 61_208, f16: 31_640 });
  });
});

describe('inspectConcept', () => {
  it('summarises metadata, sizes, layers and value count', async () => {
    const concept = randomConcept(6);
    const path = join(dir, 'inspect.safetensors');
    await writeConcept(path, concept, { dtype: 'float16' });
    const summary = await inspectConcept(path);
    expect(summary).toMatchObject({
      file: path,
      formatVersion: 1,
      token: '<my-cat>',
      supercategory: 'cat',
      dtype: 'float16',
      baseModel: concept.baseModel,
      defaults: { beta: 0.7, tau: 0.15 },
      training: concept.training,
      encodingDim: 768,
      embeddingDim: 768,
      layers: sd15Layers(),
      floats: 14_784,
    });
    expect(summary.sizes.file).toBe(readFileSync(path).length);
    expect(summary.sizes.header + summary.sizes.data).toBe(summary.sizes.file);
    expect(summary.sizes.data).toBe(14_784 * 2);
    expect(summary.metadata['format']).toBe('perfusion-concept');
    expect(summary.compatibility).toBeUndefined();
  });

  it('lists compatibility problems when given a model', async () => {
    const bytes = encodeConcept(randomConcept(7, sd15Layers().slice(0, 2), 8));
    const summary = await inspectConcept(bytes, { fingerprint: 'other', layers: sd15Layers().slice(0, 2), embeddingDim: 8 });
    expect(summary.file).toBe('<bytes>');
    expect(summary.compatibility!.map((p) => p.kind)).toEqual(['base-model']);
  });
});

describe('compatibility', () => {
  const concept = decodeConcept(encodeConcept(randomConcept(8, sd15Layers().slice(0, 4), 12, 10)), { source: 'c.safetensors' });
  const model = { fingerprint: concept.baseModel.fingerprint, layers: sd15Layers().slice(0, 4), embeddingDim: 10, encodingDim: 12 };

  it('is empty for the model the concept was made for', () => {
    expect(compatibility(concept, model)).toEqual([]);
  });

  it('lists every problem, most telling first', () => {
    const layers = [...sd15Layers().slice(1, 3), { layer: sd15Layers()[3]!.layer, width: 999 }, sd15Layers()[10]!];
    const problems = compatibility(concept, { fingerprint: 'sha256:other', layers, embeddingDim: 11, encodingDim: 13 }, 'c.safetensors');
    expect(problems.map((p) => p.kind)).toEqual(['base-model', 'encoding-dim', 'embedding-dim', 'missing-layers', 'unexpected-layers', 'layer-width']);
    expect(problems[0]).toMatchObject({ conceptFingerprint: concept.baseModel.fingerprint, modelFingerprint: 'sha256:other' });
    expect(problems[3]).toMatchObject({ layers: [sd15Layers()[10]!.layer] });
    expect(problems[4]).toMatchObject({ layers: [sd15Layers()[0]!.layer] });
    expect(problems[5]).toMatchObject({ layer: sd15Layers()[3]!.layer, conceptWidth: 640, modelWidth: 999 });
    expect(problems[5]!.message).toBe(
      `c.safetensors: value_targets[${sd15Layers()[3]!.layer}]: width 640 in the concept but 999 in the model's layer; ` +
        'the concept belongs to another model architecture — use the matching base model.',
    );
  });
});

describe('a concept file hand-built by test/golden/read_concept.py from the spec', () => {
  it('reads with all its values and metadata', async () => {
    const concept = await readConcept(new URL('./golden/handbuilt-concept.safetensors', import.meta.url).pathname);
    expect(concept).toMatchObject({
      formatVersion: 1,
      token: '<hand-bear>',
      supercategory: 'teddy bear',
      dtype: 'float16',
      baseModel: { fingerprint: 'hand-fingerprint-1', name: 'hand' },
      defaults: { beta: 0.65, tau: 0.2 },
      createdBy: 'read_concept.py handbuilt',
    });
    expect(concept.training).toBeUndefined();
    expect(Array.from(concept.inputEncoding)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(concept.superEncoding)).toEqual([1, 2, 3, 4, 5]);
    // 0.1, -0.2, 0.3 as numpy's float16.
    expect(Array.from(concept.wordEmbedding)).toEqual([0.0999755859375, -0.199951171875, 0.300048828125]);
    expect(concept.valueTargets).toEqual([
      { layer: '/down_blocks.1/attentions.1/transformer_blocks.0/attn2', width: 2, target: Float32Array.from([0.5, -1.25]) },
      { layer: '/up_blocks.3/attentions.0/transformer_blocks.0/attn2', width: 3, target: Float32Array.from([2, 1024, -0.0009765625]) },
    ]);
    const raw = readSafetensors(new Uint8Array(readFileSync(new URL('./golden/handbuilt-concept.safetensors', import.meta.url))));
    expect(raw.headerByteLength % 8).not.toBe(0);
    expect(raw.metadata['x-note']).toBe('keys unknown to version 1 are ignored');
  });
});
