import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeWithAddedToken } from '../examples/added-tokens.js';
import { ClipTokenizer, TextEncoder } from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';
import { maxAbsDiff } from './helpers/ort.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the README example of added tokens', () => {
  it('is the code of examples/added-tokens.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(packageDir, 'examples/added-tokens.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('encodes <my-cat> with the embedding of "cat" exactly as the prompt with the word, on the tiny fixture', async () => {
    // A copy of the fixture's tokenizer and text encoder, so the cache is written beside the copy.
    const fixture = await tinyModel();
    const modelDir = tempDir('added-tokens-readme');
    for (const part of ['tokenizer', 'text_encoder']) copyFixture(path.join(fixture, part), path.join(modelDir, part));
    const { conceptId, embedding, hidden, plain, position } = await encodeWithAddedToken(modelDir);
    expect([conceptId, embedding.length, position]).toEqual([1280, 32, 4]);
    expect(fs.readdirSync(path.join(modelDir, 'text_encoder', '.perfusion-cache'))).toHaveLength(1);

    const tokenizer = await ClipTokenizer.fromFolder(path.join(fixture, 'tokenizer'));
    const reference = await TextEncoder.create(path.join(fixture, 'text_encoder', 'model.onnx'));
    try {
      const [withWord, dog] = await Promise.all([
        reference.encode([tokenizer.encode('a photo of cat on a beach').ids]),
        reference.encode([tokenizer.encode('a photo of a dog').ids]),
      ]);
      expect(maxAbsDiff(hidden.data, withWord.data)).toBe(0);
      expect(maxAbsDiff(plain.data, dog.data)).toBe(0);
    } finally {
      await reference.release();
    }
  });
});
