import * as path from 'node:path';
import { GraphBuilder, writeModelSync } from '@perfusion/onnx-graph';
import { Rng, toFloat32Array } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, EncoderInputError, ModelInterfaceError, TextEncoder } from '../src/index.js';
import { tempDir, tinyModel } from './helpers/fixture.js';
import { maxAbsDiff, ort, runRaw } from './helpers/ort.js';

/** Two prompts of the fixture tokenizer, padded to 77. */
async function prompts(dir: string): Promise<Int32Array[]> {
  const tokenizer = await ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
  return [tokenizer.encode('').ids, tokenizer.encode('a watercolor painting of a fox in the snow').ids];
}

/**
 * A stand-in text encoder with int64 ids: `last_hidden_state = embedding[input_ids]` (optionally
 * times the attention mask), so the expected output is known exactly.
 */
function embeddingModel(dir: string, withMask: boolean): { file: string; table: Float32Array } {
  const vocab = 10;
  const width = 3;
  const table = new Rng(5).fillNormal(new Float32Array(vocab * width));
  const b = new GraphBuilder({ name: 'text_encoder' });
  const ids = b.input('input_ids', 'int64', ['batch', 'sequence']);
  let hidden = b.gather(b.parameter('embeddings', [vocab, width], table), ids);
  if (withMask) {
    const mask = b.input('attention_mask', 'int64', ['batch', 'sequence']);
    hidden = b.mul(hidden, b.unsqueeze(b.cast(mask, 'float32'), [2]));
  }
  b.output(hidden, 'last_hidden_state', 'float32', ['batch', 'sequence', width]);
  const file = path.join(dir, withMask ? 'masked' : 'plain', 'model.onnx');
  writeModelSync(b.build(), file);
  return { file, table };
}

describe('TextEncoder on the tiny fixture', () => {
  it('reads its interface from the session and config, and returns what onnxruntime computes', async () => {
    const dir = await tinyModel();
    const file = path.join(dir, 'text_encoder', 'model.onnx');
    const encoder = await TextEncoder.create(file);
    try {
      expect([encoder.hiddenSize, encoder.maxLength, encoder.vocabSize, encoder.idsDType]).toEqual([32, 77, 1280, 'int32']);
      const ids = await prompts(dir);
      const hidden = await encoder.encode(ids);
      expect(hidden.dtype).toBe('float32');
      expect(hidden.shape).toEqual([2, 77, 32]);
      const flat = Int32Array.from([...ids[0]!, ...ids[1]!]);
      const raw = await runRaw(file, { input_ids: new ort.Tensor('int32', flat, [2, 77]) }, 'last_hidden_state');
      expect([...hidden.data]).toEqual([...raw.data]);
      // The two prompts differ (the empty prompt is not the fox).
      expect(maxAbsDiff(hidden.data.subarray(77 * 32 * 0 + 32, 77 * 32 * 0 + 64), hidden.data.subarray(77 * 32 + 32, 77 * 32 + 64))).toBeGreaterThan(0);
      expect(encoder.session.stats.calls).toBe(1);
    } finally {
      await encoder.release();
    }
  });

  it('returns float32 from the fp16 model: its float16 output widened exactly, close to the fp32 model', async () => {
    const dir16 = await tinyModel('float16');
    const file16 = path.join(dir16, 'text_encoder', 'model.onnx');
    const ids = await prompts(dir16);
    const [encoder16, encoder32] = await Promise.all([TextEncoder.create(file16), TextEncoder.create(path.join(await tinyModel(), 'text_encoder', 'model.onnx'))]);
    try {
      const hidden16 = await encoder16.encode(ids);
      expect(hidden16.dtype).toBe('float32');
      const raw = await runRaw(file16, { input_ids: new ort.Tensor('int32', Int32Array.from([...ids[0]!, ...ids[1]!]), [2, 77]) }, 'last_hidden_state');
      expect([...hidden16.data]).toEqual([...toFloat32Array(raw.data as Uint16Array)]);
      const hidden32 = await encoder32.encode(ids);
      // Same weights rounded to fp16 (the fixture's fp16 variant), activations of order 1.
      expect(maxAbsDiff(hidden16.data, hidden32.data)).toBeLessThan(0.02);
    } finally {
      await Promise.all([encoder16.release(), encoder32.release()]);
    }
  });

  it('rejects ids the model has no embedding for, rows of different lengths and empty batches', async () => {
    const encoder = await TextEncoder.create(path.join(await tinyModel(), 'text_encoder', 'model.onnx'));
    try {
      const added = new Int32Array(77).fill(1279);
      added[1] = 1280; // an id from ClipTokenizer.addToken
      await expect(encoder.encode([added])).rejects.toThrow(EncoderInputError);
      await expect(encoder.encode([added])).rejects.toThrow(/ids\[0\]\[1\] is 1280, but the model's vocabulary has ids 0\.\.1279/);
      await expect(encoder.encode([new Int32Array(77), new Int32Array(76)])).rejects.toThrow(/ids\[1\] has 76 ids but ids\[0\] has 77/);
      await expect(encoder.encode([new Int32Array(78)])).rejects.toThrow(/rows have 78 ids; the model takes 1\.\.77/);
      await expect(encoder.encode([])).rejects.toThrow(/at least one row/);
      expect(encoder.session.stats.calls).toBe(0);
    } finally {
      await encoder.release();
    }
  });

  it('refuses a model that is not a text encoder, naming what it has', async () => {
    const notText = path.join(await tinyModel(), 'vae_decoder', 'model.onnx');
    const error = await TextEncoder.create(notText).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelInterfaceError);
    expect((error as Error).message).toContain("expected an int32 or int64 input 'input_ids', found 'latent_sample' (float32)");
  });
});

describe('TextEncoder with int64 ids and an attention mask', () => {
  it('feeds int64 ids when the session takes int64', async () => {
    const { file, table } = embeddingModel(tempDir(), false);
    const encoder = await TextEncoder.create(file);
    try {
      expect([encoder.idsDType, encoder.hiddenSize, encoder.maxLength, encoder.vocabSize]).toEqual(['int64', 3, undefined, undefined]);
      const hidden = await encoder.encode([Int32Array.from([0, 9, 4]), Int32Array.from([2, 2, 7])]);
      expect(hidden.shape).toEqual([2, 3, 3]);
      const expected = [0, 9, 4, 2, 2, 7].flatMap((id) => [...table.subarray(id * 3, id * 3 + 3)]);
      expect([...hidden.data]).toEqual(expected);
    } finally {
      await encoder.release();
    }
  });

  it('feeds an all-ones attention mask when the model takes one (diffusers passes none to SD’s CLIP)', async () => {
    const { file, table } = embeddingModel(tempDir(), true);
    const encoder = await TextEncoder.create(file);
    try {
      const hidden = await encoder.encode([Int32Array.from([1, 3])]);
      expect([...hidden.data]).toEqual([...table.subarray(3, 6), ...table.subarray(9, 12)]);
    } finally {
      await encoder.release();
    }
  });
});

