import { describe, expect, it } from 'vitest';
import {
  BYTE_CHARS_IN_VOCAB_ORDER,
  BYTE_TO_CHAR,
  CLIP_MAX_MERGES,
  ClipTokenizer,
  END_OF_WORD,
  fromByteChars,
  toByteChars,
  type TokenizerFileTexts,
} from '../src/index.js';

/*
 * Facts of OpenAI's CLIP vocabulary (the one SD 1.x ships, 49,408 tokens) that hold without its
 * files: ids 0..511 are the byte alphabet (with and without </w>), <|startoftext|> is 49406 and
 * <|endoftext|> 49407, and 48,894 merges fill 512..49405. Known ids from SD prompts:
 * "a" → 320, "," → 267, "." → 269, "!" → 256, "1" → 272 (`tokenizer("a")` in transformers gives
 * [49406, 320, 49407]).
 */

/** A CLIP-shaped tokenizer: the 512 byte tokens at their real ids, the specials at 49406/49407, `merges` in merges.txt. */
function clipShaped(merges: string[] = [], extra: Partial<TokenizerFileTexts> = {}): ClipTokenizer {
  const vocab: Record<string, number> = {};
  BYTE_CHARS_IN_VOCAB_ORDER.forEach((c, id) => {
    vocab[c] = id;
    vocab[c + END_OF_WORD] = id + 256;
  });
  // Merge results get ids past the specials here (in CLIP they are 512 + rank); only the byte and special ids matter below.
  merges.forEach((line, rank) => {
    const [left, right] = line.split(' ') as [string, string];
    vocab[left + right] ??= 50000 + rank;
  });
  vocab['<|startoftext|>'] = 49406;
  vocab['<|endoftext|>'] = 49407;
  return ClipTokenizer.fromFiles({ vocabJson: JSON.stringify(vocab), mergesTxt: ['#version: 0.2', ...merges].join('\n'), ...extra });
}

describe('CLIP vocabulary facts', () => {
  it('the byte alphabet puts bytes where CLIP’s vocab has them', () => {
    expect(BYTE_CHARS_IN_VOCAB_ORDER).toHaveLength(256);
    expect(new Set(BYTE_CHARS_IN_VOCAB_ORDER).size).toBe(256);
    // '!' 0, 'A' 32, 'a' 64, '~' 93, '¡' 94, 'ÿ' 187, then the remapped bytes: NUL 188 ('Ā'), '\n' 198 ('Ċ'), ' ' 220 ('Ġ'), DEL 221 ('ġ'), soft hyphen 255 ('Ń').
    const id = (byte: number): number => BYTE_CHARS_IN_VOCAB_ORDER.indexOf(BYTE_TO_CHAR[byte]!);
    expect([0x21, 0x41, 0x61, 0x7e, 0xa1, 0xff, 0x00, 0x0a, 0x20, 0x7f, 0xad].map(id)).toEqual([0, 32, 64, 93, 94, 187, 188, 198, 220, 221, 255]);
    expect([BYTE_TO_CHAR[0x00], BYTE_TO_CHAR[0x0a], BYTE_TO_CHAR[0x20], BYTE_TO_CHAR[0xad]]).toEqual(['Ā', 'Ċ', 'Ġ', 'Ń']);
    expect(toByteChars('a b\n')).toBe('aĠbĊ');
    expect(fromByteChars(toByteChars('héllo 🐱'))).toBe('héllo 🐱');
  });

  it('single characters get CLIP’s ids, with start 49406 and end 49407 around them', () => {
    const t = clipShaped();
    expect(t.tokenIds('a , . ! 1')).toEqual([320, 267, 269, 256, 272]);
    expect([...t.encode('a').ids.slice(0, 4)]).toEqual([49406, 320, 49407, 49407]);
    // vocab.json's size; a real CLIP vocab has 49,408 entries and added tokens start there.
    expect(t.vocabSize).toBe(514);
    expect(t.addToken('<new>')).toBe(514);
  });

  it('uses at most 48,894 merges, as transformers’ CLIPTokenizer does', () => {
    expect(CLIP_MAX_MERGES).toBe(48894);
    // 48,894 filler merges that never apply, then "a b</w>": the 48,895th is ignored, so "ab" stays a b</w> = 64 321.
    const filler = Array.from({ length: CLIP_MAX_MERGES }, (_, i) => `q${i} z`);
    expect(clipShaped([...filler, 'a b</w>']).tokenIds('ab')).toEqual([64, 321]);
    // One filler fewer and it is the 48,894th: it applies, giving the merged token (id 50000 + rank here).
    expect(clipShaped([...filler.slice(1), 'a b</w>']).tokenIds('ab')).toEqual([50000 + CLIP_MAX_MERGES - 1]);
  });

  it('pads with the configured token: <|endoftext|> for SD, "!" (id 0) for OpenAI’s CLIP configs', () => {
    expect(clipShaped().padId).toBe(49407);
    const openai = clipShaped([], { specialTokensMapJson: JSON.stringify({ pad_token: { content: '!', lstrip: false } }) });
    expect(openai.padId).toBe(0);
    expect([...openai.encode('a').ids.slice(0, 4)]).toEqual([49406, 320, 49407, 0]);
    // special_tokens_map.json wins over tokenizer_config.json, as in transformers.
    const both = clipShaped([], {
      tokenizerConfigJson: JSON.stringify({ pad_token: '<|endoftext|>', model_max_length: 1e30 }),
      specialTokensMapJson: JSON.stringify({ pad_token: '!' }),
    });
    expect([both.padId, both.maxLength]).toEqual([0, 77]);
  });
});
