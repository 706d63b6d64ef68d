import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, tensorFromProto } from '@perfusion/onnx-graph';
import { Rng, toFloat32Array } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, EncoderInputError, ExtraEmbeddingsError, ModelInterfaceError, PERFUSION_TOKEN_EMBEDDINGS_INPUT, TextEncoder } from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';
import { maxAbsDiff, ort, runRaw } from './helpers/ort.js';

const WIDTH = 32; // the tiny fixture's hidden size and token embedding width
const LENGTH = 77;

/** A private copy of the fixture's text_encoder/ (model.onnx + config.json), so each test writes its own cache. */
function copyTextEncoder(fixtureDir: string): string {
  const dir = path.join(tempDir('added-tokens'), 'text_encoder');
  copyFixture(path.join(fixtureDir, 'text_encoder'), dir);
  return path.join(dir, 'model.onnx');
}

/** Position `p`'s encoding in row `b` of a [B, 77, 32] output. */
function at(data: Float32Array, b: number, p: number): Float32Array {
  return data.subarray((b * LENGTH + p) * WIDTH, (b * LENGTH + p + 1) * WIDTH);
}

/** Rows [from, to) of a [1, 77, 32] output. */
function positions(data: Float32Array, from: number, to: number): Float32Array {
  return data.subarray(from * WIDTH, to * WIDTH);
}

describe.each(['float32', 'float16'] as const)('a text encoder extended for added tokens (tiny %s)', (dtype) => {
  async function setup() {
    const fixture = await tinyModel(dtype);
    const tokenizer = await ClipTokenizer.fromFolder(path.join(fixture, 'tokenizer'));
    const original = path.join(fixture, 'text_encoder', 'model.onnx');
    const [plain, extended] = await Promise.all([TextEncoder.create(original), TextEncoder.create(copyTextEncoder(fixture), { addedTokens: true })]);
    return { fixture, tokenizer, original, plain, extended, release: () => Promise.all([plain.release(), extended.release()]) };
  }

  it('computes exactly what the original computes for prompts without added tokens (max diff 0)', async () => {
    const { tokenizer, original, plain, extended, release } = await setup();
    try {
      expect([extended.addedTokens, extended.vocabSize, extended.tokenEmbeddingDim, extended.hiddenSize]).toEqual([true, 1280, WIDTH, WIDTH]);
      expect([plain.addedTokens, plain.tokenEmbeddingDim]).toEqual([false, undefined]);
      expect(extended.session.input(PERFUSION_TOKEN_EMBEDDINGS_INPUT)).toMatchObject({ dtype, shape: ['perfusion_extra_tokens', WIDTH] });
      const ids = [tokenizer.encode('').ids, tokenizer.encode('a watercolor painting of a fox in the snow').ids, tokenizer.encode('a photo of a cat').ids];
      const expected = await plain.encode(ids);
      expect(maxAbsDiff((await extended.encode(ids)).data, expected.data)).toBe(0);
      // Extra rows that no id uses change nothing either.
      const unused = new Rng(1).fillNormal(new Float32Array(3 * WIDTH));
      expect(maxAbsDiff((await extended.encode(ids, { extraEmbeddings: unused })).data, expected.data)).toBe(0);

      // In onnxruntime itself: the extended graph fed a [0, 32] input equals the original graph.
      const flat = Int32Array.from(ids.flatMap((row) => [...row]));
      const feeds = { input_ids: new ort.Tensor('int32', flat, [3, LENGTH]) };
      const empty = dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0);
      const raw = await runRaw(extended.session.path, { ...feeds, [PERFUSION_TOKEN_EMBEDDINGS_INPUT]: new ort.Tensor(dtype, empty, [0, WIDTH]) }, 'last_hidden_state');
      const rawOriginal = await runRaw(original, feeds, 'last_hidden_state');
      expect(raw.dims).toEqual([3, LENGTH, WIDTH]);
      expect([...raw.data]).toEqual([...rawOriginal.data]);
    } finally {
      await release();
    }
  });

  it('encodes an added token whose extra embedding is a word’s embedding exactly as that word, at every position', async () => {
    const { tokenizer, plain, extended, release } = await setup();
    try {
      const [cat] = tokenizer.tokenIds('cat');
      expect(tokenizer.tokenIds('cat')).toHaveLength(1);
      const conceptId = tokenizer.addToken('<my-cat>');
      expect(conceptId).toBe(1280);
      const withToken = tokenizer.encode('a photo of <my-cat> on a beach').ids;
      const withWord = tokenizer.encode('a photo of cat on a beach').ids;
      expect(withToken.indexOf(conceptId)).toBe(withWord.indexOf(cat!));
      const catRow = await extended.readTokenEmbedding(cat!);
      const hidden = await extended.encode([withToken], { extraEmbeddings: catRow });
      const reference = await plain.encode([withWord]);
      expect(maxAbsDiff(hidden.data, reference.data)).toBe(0);
      // Two added tokens in one batch, each with its own row; the second row is the word 'dog'.
      const [dog] = tokenizer.tokenIds('dog');
      const dogId = tokenizer.addToken('<my-dog>');
      const rows = new Float32Array([...(await extended.readTokenEmbedding([cat!, dog!]))]);
      const both = await extended.encode([tokenizer.encode('<my-dog> and <my-cat>').ids, withToken], { extraEmbeddings: rows });
      const words = await plain.encode([tokenizer.encode('dog and cat').ids, withWord]);
      expect(dogId).toBe(1281);
      expect(maxAbsDiff(both.data, words.data)).toBe(0);
    } finally {
      await release();
    }
  });

  it('changes the encoding at and after an added token with another embedding, not before it (causal mask)', async () => {
    const { tokenizer, plain, extended, release } = await setup();
    try {
      const conceptId = tokenizer.addToken('<my-cat>');
      const ids = tokenizer.encode('a photo of <my-cat> on a beach').ids;
      const position = ids.indexOf(conceptId);
      expect(position).toBe(4); // start, a, photo, of, <my-cat>
      const embedding = new Rng(7).fillNormal(new Float32Array(WIDTH));
      const hidden = (await extended.encode([ids], { extraEmbeddings: embedding })).data;
      const asCat = (await plain.encode([tokenizer.encode('a photo of cat on a beach').ids])).data;
      expect(maxAbsDiff(positions(hidden, 0, position), positions(asCat, 0, position))).toBe(0);
      for (let p = position; p < LENGTH; p++) expect(maxAbsDiff(at(hidden, 0, p), at(asCat, 0, p))).toBeGreaterThan(1e-3);
    } finally {
      await release();
    }
  });

  it('refuses an added token’s id without its row, naming the id and the number of rows', async () => {
    const { tokenizer, plain, extended, release } = await setup();
    try {
      tokenizer.addToken('<a>');
      const second = tokenizer.addToken('<b>');
      const ids = tokenizer.encode('x <b> y').ids;
      const one = new Float32Array(WIDTH);
      const error = await extended.encode([tokenizer.encode('x').ids, ids], { extraEmbeddings: one }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExtraEmbeddingsError);
      expect(error).toBeInstanceOf(EncoderInputError);
      expect(error).toMatchObject({ id: second, rows: 1 });
      expect((error as Error).message).toContain('ids[1][2] is 1281, an added token\'s id (row 1 of the extra embeddings), but only 1 extra embedding row was given (ids 1280..1280)');
      expect((error as Error).message).toContain('pass options.extraEmbeddings with at least 2 rows of 32 values');
      await expect(extended.encode([ids])).rejects.toThrow(/is 1281, an added token's id \(row 1 of the extra embeddings\), but no extra embedding rows were given/);
      await expect(extended.encode([ids], { extraEmbeddings: new Float32Array(WIDTH + 1) })).rejects.toThrow(
        /extraEmbeddings must be a Float32Array of whole rows of 32 values \(tokenEmbeddingDim\); got 33 values/,
      );
      await expect(extended.encode([ids], { extraEmbeddings: [0] as unknown as Float32Array })).rejects.toThrow(/got a Array/);
      await expect(plain.encode([ids], { extraEmbeddings: new Float32Array(2 * WIDTH) })).rejects.toThrow(/loaded without added-token support; create it with TextEncoder\.create\(path, \{ addedTokens: true \}\)/);
      await expect(plain.encode([ids])).rejects.toThrow(/ids\[0\]\[2\] is 1281, but the model's vocabulary has ids 0\.\.1279\. Ids from ClipTokenizer\.addToken need a text encoder created with \{ addedTokens: true \}/);
      const negative = Int32Array.from(ids);
      negative[1] = -1;
      await expect(extended.encode([negative])).rejects.toThrow(/ids\[0\]\[1\] is -1, but the model's vocabulary has ids 0\.\.1279/);
      expect(extended.session.stats.calls).toBe(0);
      // With both rows it runs.
      expect((await extended.encode([ids], { extraEmbeddings: new Float32Array(2 * WIDTH) })).shape).toEqual([1, LENGTH, WIDTH]);
    } finally {
      await release();
    }
  });

  it('reads rows of the token embedding table in place, on extended and plain encoders', async () => {
    const { original, plain, extended, release } = await setup();
    try {
      const table = (await readModel(original)).graph!.initializer.find((t) => t.name === 'text_model.embeddings.token_embedding.weight')!;
      const tensor = tensorFromProto(table);
      const values = tensor.dtype === 'float16' ? toFloat32Array(tensor.data as Uint16Array) : (tensor.data as Float32Array);
      const ids = [0, 5, 1279, 5];
      const expected = Float32Array.from(ids.flatMap((id) => [...values.subarray(id * WIDTH, (id + 1) * WIDTH)]));
      expect([...(await extended.readTokenEmbedding(ids))]).toEqual([...expected]);
      expect([...(await plain.readTokenEmbedding(ids))]).toEqual([...expected]);
      expect([...(await plain.readTokenEmbedding(1279))]).toEqual([...expected.subarray(2 * WIDTH, 3 * WIDTH)]);
      await expect(extended.readTokenEmbedding([3, 1280])).rejects.toThrow(ExtraEmbeddingsError);
      await expect(extended.readTokenEmbedding([3, 1280])).rejects.toThrow(/ids\[1\] is 1280, but the token embedding table has rows 0\.\.1279/);
      await expect(plain.readTokenEmbedding(-1)).rejects.toThrow(/ids\[0\] is -1/);
    } finally {
      await release();
    }
  });
});

describe('TextEncoder.create with an already extended model', () => {
  it('refuses to load it without addedTokens, and to extend it again', async () => {
    const fixture = await tinyModel();
    const encoder = await TextEncoder.create(copyTextEncoder(fixture), { addedTokens: true });
    const extendedPath = encoder.session.path;
    await encoder.release();
    const plainError = await TextEncoder.create(extendedPath).catch((e: unknown) => e);
    expect(plainError).toBeInstanceOf(ModelInterfaceError);
    expect((plainError as Error).message).toContain(`${extendedPath} was already extended for added tokens (it takes 'perfusion_token_embeddings')`);
    await expect(TextEncoder.create(extendedPath, { addedTokens: true })).rejects.toThrow(
      `${extendedPath}: the graph already has the input 'perfusion_token_embeddings', so it was extended before; load the original text_encoder/model.onnx instead.`,
    );
  });
});
