import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, TokenizerFileError } from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';

/** A copy of the fixture's tokenizer folder with `edit` applied, in a temp folder. */
async function editedTokenizer(edit: (dir: string) => void): Promise<string> {
  const dir = path.join(tempDir(), 'tokenizer');
  copyFixture(path.join(await tinyModel(), 'tokenizer'), dir);
  edit(dir);
  return dir;
}

describe('reading a tokenizer folder', () => {
  it('names the missing file and what a tokenizer folder needs', async () => {
    const dir = await editedTokenizer((d) => fs.rmSync(path.join(d, 'merges.txt')));
    const error = await ClipTokenizer.fromFolder(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenizerFileError);
    expect((error as Error).message).toBe(`${path.join(dir, 'merges.txt')}: does not exist; a CLIP tokenizer folder needs vocab.json and merges.txt (as in a diffusers/optimum model folder's tokenizer/).`);
  });

  it('works with vocab.json and merges.txt alone (CLIP defaults for the rest)', async () => {
    const dir = await editedTokenizer((d) => {
      fs.rmSync(path.join(d, 'tokenizer_config.json'));
      fs.rmSync(path.join(d, 'special_tokens_map.json'));
    });
    const t = await ClipTokenizer.fromFolder(dir);
    expect([t.bosId, t.eosId, t.padId, t.maxLength]).toEqual([1278, 1279, 1279, 77]);
  });

  it('reports malformed files with the file, line or field', async () => {
    const badJson = await editedTokenizer((d) => fs.writeFileSync(path.join(d, 'vocab.json'), '{"a": 1,'));
    await expect(ClipTokenizer.fromFolder(badJson)).rejects.toThrow(/vocab\.json: is not valid JSON/);
    const badMerge = await editedTokenizer((d) => fs.appendFileSync(path.join(d, 'merges.txt'), 'a b c\n'));
    await expect(ClipTokenizer.fromFolder(badMerge)).rejects.toThrow(/merges\.txt: line 768 must hold two symbols separated by a space, got "a b c"/);
    const badPad = await editedTokenizer((d) => fs.writeFileSync(path.join(d, 'special_tokens_map.json'), '{"pad_token": "<pad>"}'));
    await expect(ClipTokenizer.fromFolder(badPad)).rejects.toThrow(/pad_token "<pad>" is not in the vocabulary/);
    const badLength = await editedTokenizer((d) => fs.writeFileSync(path.join(d, 'tokenizer_config.json'), '{"model_max_length": "77"}'));
    await expect(ClipTokenizer.fromFolder(badLength)).rejects.toThrow(/tokenizer_config\.json: model_max_length must be an integer >= 2, got "77"/);
    const duplicate = await editedTokenizer((d) => fs.writeFileSync(path.join(d, 'vocab.json'), '{"a": 1, "b": 1}'));
    await expect(ClipTokenizer.fromFolder(duplicate)).rejects.toThrow(/id 1 is given to both "a" and "b"/);
  });

  it('uses a shorter model_max_length from tokenizer_config.json and loads added_tokens.json', async () => {
    const dir = await editedTokenizer((d) => {
      const config = JSON.parse(fs.readFileSync(path.join(d, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(path.join(d, 'tokenizer_config.json'), JSON.stringify({ ...config, model_max_length: 8 }));
      fs.writeFileSync(path.join(d, 'added_tokens.json'), JSON.stringify({ '<cat-toy>': 1280 }));
    });
    const t = await ClipTokenizer.fromFolder(dir);
    expect(t.maxLength).toBe(8);
    expect(t.tokenToId('<cat-toy>')).toBe(1280);
    const e = t.encode('a <cat-toy> cat cat cat cat cat');
    // 6 prompt tokens fit in 8: a <cat-toy> cat cat cat cat; one "cat" is dropped.
    expect([...e.ids]).toEqual([1278, 320, 1280, 844, 844, 844, 844, 1279]);
    expect([e.truncated, e.droppedText]).toEqual([true, 'cat']);
    expect(t.addToken('<next>')).toBe(1281);
  });
});
