import 'reflect-metadata';
import * as path from 'node:path';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, registerEncoders, TEXT_ENCODER, TOKENIZER, VAE_DECODER } from '../src/index.js';
import { tempDir, tinyModel } from './helpers/fixture.js';

describe('registerEncoders({ addedTokens })', () => {
  it('creates the text encoder extended for added tokens; plain prompts encode as with the plain encoder', async () => {
    const model = await tinyModel();
    const cacheDir = tempDir('register-added-tokens');
    const extended = container.createChildContainer();
    const plain = container.createChildContainer();
    await registerEncoders(extended, { modelDir: model, addedTokens: { cacheDir } });
    await registerEncoders(plain, { modelDir: model });
    try {
      const encoder = extended.resolve(TEXT_ENCODER);
      expect(encoder.addedTokens).toBe(true);
      expect(path.dirname(path.dirname(encoder.session.path))).toBe(cacheDir);
      expect(plain.resolve(TEXT_ENCODER).addedTokens).toBe(false);

      const tokenizer = extended.resolve(TOKENIZER);
      const ids = tokenizer.encode('a photo of a cat').ids;
      const a = await encoder.encode([ids]);
      const b = await plain.resolve(TEXT_ENCODER).encode([ids]);
      expect([...a.data]).toEqual([...b.data]);

      // An added token resolves to the embedding given for it ('cat' is one token in the tiny vocabulary).
      const withToken = await ClipTokenizer.fromFolder(path.join(model, 'tokenizer'));
      const id = withToken.addToken('<cat-concept>');
      const catEmbedding = await encoder.readTokenEmbedding(withToken.tokenIds('cat').at(-1)!);
      const viaToken = await encoder.encode([withToken.encode('a photo of a <cat-concept>').ids], { extraEmbeddings: catEmbedding });
      expect(id).toBe(encoder.vocabSize);
      expect([...viaToken.data]).toEqual([...(await encoder.encode([withToken.encode('a photo of a cat').ids])).data]);
    } finally {
      for (const c of [extended, plain]) {
        await c.resolve(TEXT_ENCODER).release();
        await c.resolve(VAE_DECODER).release();
      }
    }
  });
});
