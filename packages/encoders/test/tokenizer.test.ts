import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AddedTokenError, ClipTokenizer } from '../src/index.js';
import { tinyModel } from './helpers/fixture.js';

/*
 * Expected ids on the fixture tokenizer (tokenizer/ of the `tiny` fixture: 1,280 tokens), worked
 * out by hand from its vocab.json and merges.txt, not by running a tokenizer:
 *
 * - Byte ids follow the byte alphabet: printable ASCII b → b − 33 ('!' 0, ',' 11, 'a' 64);
 *   0xA1..0xAC → b − 67; 0xAE..0xFF → b − 68; then the other bytes in order from 188
 *   (0x00..0x20 → 188 + b, 0x7F..0xA0 → 221 + (b − 0x7F), 0xAD → 255). A symbol with `</w>` is
 *   its byte id + 256. A merge on line k of merges.txt (k = 1 after the header) has id 511 + k.
 * - BPE: repeatedly merge the adjacent pair with the smallest merge id. Merge ids used below
 *   (looked up in merges.txt): c+a 552, a+t 580, a+t</w> 539, c+at</w> 844, a+c 538, t+o 554,
 *   t+o</w> 528, h+o 529, p+ho 541, pho+to</w> 551, o+f</w> 513, o+f 581, s+of 622, sof+a</w> 992,
 *   o+n</w> 517, d+o 599, do+g</w> 1056, i+t 561, it+h</w> 979, w+ith</w> 1000, ca+f 1109,
 *   c+r 1108, m+y</w> 572. Pairs not listed (e.g. o+y</w>, '+s</w>, !+!</w>, t+s</w>, ca+t,
 *   of+a</w>, w+it, ac+a, Ã+©</w>, r+Ã) are not in merges.txt.
 */
const START = 1278;
const END = 1279;

let tokenizer: ClipTokenizer;
beforeAll(async () => {
  tokenizer = await ClipTokenizer.fromFolder(path.join(await tinyModel(), 'tokenizer'));
});

describe('ClipTokenizer on the fixture vocabulary: hand-checked ids', () => {
  it('reads the folder: special tokens, padding with <|endoftext|>, length 77', () => {
    expect([tokenizer.vocabSize, tokenizer.bosId, tokenizer.eosId, tokenizer.padId, tokenizer.maxLength]).toEqual([1280, START, END, END, 77]);
  });

  it('a plain prompt', () => {
    // a → a</w> 320; photo: t+o</w>, then h+o, p+ho, pho+to</w> → 551; of → 513; cat: a+t</w>, c+at</w> → 844.
    expect(tokenizer.tokenIds('a photo of a cat')).toEqual([320, 551, 513, 320, 844]);
  });

  it('punctuation and apostrophes: clitics are their own words, punctuation runs stay together', () => {
    // it → i t</w> = 72 339 (no i+t</w> merge); 's → ' s</w> = 6 338; dog: d+o, do+g</w> → 1056;
    // toy: t+o → to y</w> = 554 344; , → ,</w> 267; isn → i s n</w> = 72 82 333; 't → 6 339; ? → 286.
    expect(tokenizer.tokenIds("it's a dog's toy, isn't it?")).toEqual([72, 339, 6, 338, 320, 1056, 6, 338, 554, 344, 267, 72, 82, 333, 6, 339, 72, 339, 286]);
    // "!!" is one word: ! !</w> = 0 256.
    expect(tokenizer.tokenIds('wow!!')).toEqual([...tokenizer.tokenIds('wow'), 0, 256]);
  });

  it('numbers: every digit is a word of its own', () => {
    // 3 → 274; cats: c+a → ca t s</w> = 552 83 338; on → 517; 1 → 272; sofa: o+f, s+of, sof+a</w> → 992;
    // , → 267; 5 0 → 276 271; mm → m m</w> = 76 332.
    expect(tokenizer.tokenIds('3 cats on 1 sofa, 50mm')).toEqual([274, 552, 83, 338, 517, 272, 992, 267, 276, 271, 76, 332]);
    // 2077 → 2</w> 0</w> 7</w> 7</w>.
    expect(tokenizer.tokenIds('2077')).toEqual([273, 271, 278, 278]);
  });

  it('unicode: accents are UTF-8 bytes (NFC first), emoji fall back to their bytes', () => {
    // café = c a f C3 A9 → c+a, ca+f → caf Ã ©</w> = 1109 127 358 (Ã = 0xC3 → 127, © = 0xA9 → 102 + 256).
    // crème = c r C3 A8 m e → c+r → 1108 127 101 76 324 (¨ = 0xA8 → 101, e</w> = 324).
    // 🐱 = F0 9F 90 B1 → ð 172, 0x9F → 253, 0x90 → 238, ±</w> = 109 + 256 = 365.
    const expected = [1109, 127, 358, 1108, 127, 101, 76, 324, 172, 253, 238, 365];
    expect(tokenizer.tokenIds('café crème 🐱')).toEqual(expected);
    // The same text with decomposed accents (e + U+0301) is composed first.
    expect(tokenizer.tokenIds('cafe\u0301 cre\u0300me 🐱')).toEqual(expected);
  });

  it('repeated spaces, tabs and newlines count as one space; upper case is lowered', () => {
    expect(tokenizer.tokenIds('  A \n\n PHOTO\tOF\t\ta   CAT  ')).toEqual([320, 551, 513, 320, 844]);
    expect(tokenizer.tokenIds('')).toEqual([]);
    expect(tokenizer.tokenIds(' \n\t ')).toEqual([]);
  });

  it('special tokens typed in the prompt keep their ids', () => {
    expect(tokenizer.tokenIds('a cat<|endoftext|>')).toEqual([320, 844, END]);
    expect(tokenizer.tokenIds('<|STARTOFTEXT|>a')).toEqual([START, 320]);
  });

  it('pads to 77 with <|endoftext|> after start … end', () => {
    const { ids, tokenCount, truncated, droppedText } = tokenizer.encode('a photo of a cat');
    expect(ids).toBeInstanceOf(Int32Array);
    expect([...ids]).toEqual([START, 320, 551, 513, 320, 844, END, ...new Array<number>(70).fill(END)]);
    expect([tokenCount, truncated, droppedText]).toEqual([7, false, undefined]);
    expect([...tokenizer.encode('').ids.slice(0, 3)]).toEqual([START, END, END]);
    expect(tokenizer.encode('').tokenCount).toBe(2);
  });

  it('truncates past 77 keeping start … end, and reports the dropped text', () => {
    const long = tokenizer.encode('cat '.repeat(80).trim());
    expect([...long.ids]).toEqual([START, ...new Array<number>(75).fill(844), END]);
    expect([long.tokenCount, long.truncated, long.droppedText]).toEqual([77, true, 'cat cat cat cat cat']);
    // 74 × "a" + "toy" (to y</w>) is 76 tokens: the cut falls inside "toy", as in diffusers.
    const split = tokenizer.encode(`${'a '.repeat(74)}toy`);
    expect([...split.ids.slice(73)]).toEqual([320, 320, 554, END]);
    expect(split.droppedText).toBe('y');
    // Exactly 75 prompt tokens fit.
    const full = tokenizer.encode('cat '.repeat(75));
    expect([full.tokenCount, full.truncated, full.ids[76]]).toEqual([77, false, END]);
  });
});

describe('ClipTokenizer added tokens', () => {
  it('gives new ids from vocabSize on and matches them whole before BPE, also glued to other text', async () => {
    const t = await ClipTokenizer.fromFolder(path.join(await tinyModel(), 'tokenizer'));
    // Without the token, the text is split like any other: < my - cat > = 283 572 268 844 285.
    expect(t.tokenIds('<my-cat>')).toEqual([283, 572, 268, 844, 285]);
    expect(t.addToken('<my-cat>')).toBe(1280);
    expect(t.addToken('<my-dog>')).toBe(1281);
    expect(t.tokenToId('<my-cat>')).toBe(1280);
    expect(t.idToToken(1281)).toBe('<my-dog>');
    expect(t.vocabSize).toBe(1280);
    // on → 517; sofa → 992.
    expect(t.tokenIds('a photo of <my-cat> on a sofa')).toEqual([320, 551, 513, 1280, 517, 320, 992]);
    // Glued to punctuation: , → 267; with: i+t, it+h</w>, w+ith</w> → 1000; ! → 256.
    expect(t.tokenIds('<my-cat>, with <my-dog>!')).toEqual([1280, 267, 1000, 1281, 256]);
    // Inside a word: my → m+y</w> 572, s → 338.
    expect(t.tokenIds('my<my-cat>s')).toEqual([572, 1280, 338]);
    // Matched exactly as added (case-sensitive), like transformers' slow tokenizers.
    expect(t.tokenIds('<MY-CAT>')).toEqual([283, 572, 268, 844, 285]);
    expect([...t.encode('<my-cat>').ids.slice(0, 4)]).toEqual([START, 1280, END, END]);
    expect(t.decode([320, 1280, 992])).toBe('a <my-cat> sofa');
  });

  it('refuses tokens that exist already or are empty', async () => {
    const t = await ClipTokenizer.fromFolder(path.join(await tinyModel(), 'tokenizer'));
    t.addToken('<sks>');
    expect(() => t.addToken('<sks>')).toThrow(AddedTokenError);
    expect(() => t.addToken('<sks>')).toThrow(/already added \(id 1280\)/);
    expect(() => t.addToken('cat</w>')).toThrow(/already in the vocabulary \(id 844\)/);
    expect(() => t.addToken('<|endoftext|>')).toThrow(AddedTokenError);
    expect(() => t.addToken('  ')).toThrow(/non-empty string/);
  });
});

describe('ClipTokenizer text cleanup modes', () => {
  it("'basic' (transformers' slow tokenizer without ftfy) drops format characters and splits CJK ideographs", async () => {
    const basic = await ClipTokenizer.fromFolder(path.join(await tinyModel(), 'tokenizer'), { cleanup: 'basic' });
    // U+200B (zero-width space, category Cf) = E2 80 8B → â 158, 0x80 → 222, 0x8B → 233 + 256 = 489.
    // 'fast' keeps it as a word; 'basic' removes it, leaving "acat": a+c, a+t</w> → ac at</w> = 538 539.
    expect(tokenizer.tokenIds('a\u200bcat')).toEqual([320, 158, 222, 489, 844]);
    expect(basic.tokenIds('a\u200bcat')).toEqual([538, 539]);
    // 猫 = E7 8C AB → ç 163, 0x8C → 234, « 104 (with </w>: 360). 'fast' reads 猫猫 as one word; 'basic' as two.
    expect(tokenizer.tokenIds('猫猫')).toEqual([163, 234, 104, 163, 234, 360]);
    expect(basic.tokenIds('猫猫')).toEqual([163, 234, 360, 163, 234, 360]);
    // On plain prompts both agree.
    const prompt = "  A photo of my DOG's toy, 3 cats... café\n";
    expect(basic.tokenIds(prompt)).toEqual(tokenizer.tokenIds(prompt));
  });
});

describe('ClipTokenizer.decode', () => {
  it('turns ids back into text the way transformers does (spaces before punctuation removed)', () => {
    expect(tokenizer.decode(tokenizer.tokenIds("a photo of a dog's toy, isn't it?"))).toBe("a photo of a dog's toy, isn 't it?");
    // ("isn 't": transformers' clean-up joins " n't", " 's", " 'm", " 've", " 're", but not " 't".)
    expect(tokenizer.decode(tokenizer.tokenIds('café crème 🐱'))).toBe('café crème 🐱');
    // A cut inside a multi-byte character decodes to U+FFFD.
    expect(tokenizer.decode([172, 253])).toBe('\ufffd');
    expect(() => tokenizer.decode([5000])).toThrow(/id 5000 is neither in the vocabulary/);
  });
});
