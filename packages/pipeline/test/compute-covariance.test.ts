import * as path from 'node:path';
import { ClipTokenizer, TextEncoder } from '@perfusion/encoders';
import { builtInCaptions } from '@perfusion/key-lock';
import { computeCovariance, corpusLabel, type CaptionEncoder, type CovarianceProgress } from '@perfusion/pipeline';
import { Tensor } from '@perfusion/tensor-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './support/helpers.js';

describe('computeCovariance', () => {
  let tokenizer: ClipTokenizer;
  let encoder: TextEncoder;
  const captions = builtInCaptions({ count: 70 });
  beforeAll(async () => {
    const model = await tinyModel();
    tokenizer = await ClipTokenizer.fromFolder(path.join(model, 'tokenizer'));
    encoder = await TextEncoder.create(path.join(model, 'text_encoder', 'model.onnx'));
  });
  afterAll(() => encoder?.release());

  /** C = (1/n) Σ e eᵀ over each caption's rows from the start token to the end token, one caption at a time, in plain float64 loops. */
  async function reference(list: readonly string[]): Promise<{ matrix: Float64Array; count: number }> {
    const d = encoder.hiddenSize;
    const matrix = new Float64Array(d * d);
    let count = 0;
    for (const caption of list) {
      const prompt = tokenizer.encode(caption);
      const e = (await encoder.encode([prompt.ids])).data;
      const end = prompt.ids.indexOf(tokenizer.eosId, 1);
      for (let t = 0; t <= end; t++) {
        count++;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) matrix[i * d + j] += e[t * d + i]! * e[t * d + j]!;
      }
    }
    return { matrix: matrix.map((v) => v / count), count };
  }

  function relativeError(a: Float64Array, b: Float64Array): number {
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num = Math.max(num, Math.abs(a[i]! - b[i]!));
      den = Math.max(den, Math.abs(b[i]!));
    }
    return num / den;
  }

  it('averages e eᵀ over each caption’s start-to-end rows (not the padding), in batches, with progress', async () => {
    const progress: CovarianceProgress[] = [];
    const result = await computeCovariance(tokenizer, encoder, captions, { batchSize: 16, onProgress: (p) => void progress.push(p) });
    const expected = await reference(captions);
    expect(result.count).toBe(expected.count);
    expect(result.captions).toBe(70);
    expect(relativeError(result.matrix, expected.matrix)).toBeLessThan(1e-5);
    expect(progress.map((p) => p.done)).toEqual([0, 16, 32, 48, 64, 70]);
    expect(progress.every((p) => p.total === 70)).toBe(true);
  });

  it('trimming the padding gives the full encoding’s result (the text encoder is causal)', async () => {
    const calls: number[] = [];
    const counting: CaptionEncoder = { encode: (ids) => (calls.push(ids[0]!.length), encoder.encode(ids)) };
    const trimmed = await computeCovariance(tokenizer, counting, captions, { batchSize: 35 });
    const full = await computeCovariance(tokenizer, encoder, captions, { batchSize: 35, trimPadding: false });
    expect(relativeError(trimmed.matrix, full.matrix)).toBeLessThan(1e-5);
    // First batch: trimmed and full (the check); second batch: trimmed only.
    expect(calls).toHaveLength(3);
    expect(calls[1]).toBe(77);
    expect(calls[2]).toBeLessThan(77);
  });

  it('falls back to full encodings when trimming changes the rows or the model refuses short inputs', async () => {
    // A non-causal stand-in: every row is shifted by the number of positions encoded.
    const nonCausal: CaptionEncoder = {
      encode: async (ids) => {
        const out = await encoder.encode(ids);
        return new Tensor('float32', out.data.map((v) => v + ids[0]!.length / 77), out.shape);
      },
    };
    const fallback = await computeCovariance(tokenizer, nonCausal, captions, { batchSize: 35 });
    const full = await computeCovariance(tokenizer, nonCausal, captions, { batchSize: 35, trimPadding: false });
    expect([...fallback.matrix]).toEqual([...full.matrix]);
    const fixedLength: CaptionEncoder = { encode: (ids) => (ids[0]!.length === 77 ? encoder.encode(ids) : Promise.reject(new Error('expected 77 ids'))) };
    const refused = await computeCovariance(tokenizer, fixedLength, captions, { batchSize: 35 });
    expect(refused.count).toBe(full.count);
  });

  it('stops when cancelled, and labels corpora', async () => {
    let batches = 0;
    await expect(computeCovariance(tokenizer, encoder, captions, { batchSize: 10, onProgress: () => void batches++, isCancelled: () => batches >= 3 })).rejects.toThrow(/cancelled/);
    expect(batches).toBe(3);
    expect(corpusLabel(undefined)).toBe('builtin:5000:seed0');
    expect(corpusLabel(['a', 'b'])).toMatch(/^sha256:[0-9a-f]{32}:2$/);
    expect(corpusLabel(['a', 'b'])).not.toBe(corpusLabel(['a b']));
  });
});
