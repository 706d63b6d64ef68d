import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { caption, COLOUR_NAMES, parseCaption, PLACE_PHRASES, randomScene, SHAPE_NAMES, SIZE_NAMES } from '@perfusion/toyworld';
import { CAPTION_FRAMINGS, heldOutScene, isHeldOut, TOY_TEXT_ENCODER, TOY_VOCAB_SIZE, toyTokenizer, trainingCaption, trainingScene } from '../src/index.js';

describe('toy tokenizer', () => {
  it('has exactly the text encoder’s rows, in CLIP’s file format', () => {
    const tokenizer = toyTokenizer();
    expect(tokenizer.vocab).toHaveLength(TOY_VOCAB_SIZE);
    expect(TOY_TEXT_ENCODER.vocabSize).toBe(TOY_VOCAB_SIZE);
    expect(tokenizer.files.get('merges.txt')!.split('\n')[0]).toBe('#version: 0.2');
    const vocab = JSON.parse(tokenizer.files.get('vocab.json')!) as Record<string, number>;
    expect(vocab['<|endoftext|>']).toBe(TOY_VOCAB_SIZE - 1);
  });

  it('encodes every word of the world’s captions as one token', () => {
    const { encoder } = toyTokenizer();
    const words = [...SHAPE_NAMES, ...COLOUR_NAMES, ...SIZE_NAMES, ...Object.values(PLACE_PHRASES).flatMap((p) => p.split(' ')), 'a', 'an', 'and', 'background', 'photo', 'of'];
    for (const word of words) expect(encoder.encode(word), word).toHaveLength(1);
  });
});

describe('training captions', () => {
  it('only state facts of the scene, in the phrasings people type', () => {
    const rng = new Rng(5);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const scene = randomScene(rng.fork(`s${i}`));
      const text = trainingCaption(scene, rng.fork(`c${i}`));
      for (const o of scene.objects) expect(text).toContain(o.shape);
      const mentioned = COLOUR_NAMES.filter((c) => new RegExp(`\\b${c}\\b`).test(text));
      const allowed = new Set([scene.background, ...scene.objects.map((o) => o.colour)]);
      for (const c of mentioned) expect(allowed.has(c), `${text} mentions ${c}`).toBe(true);
      if (/background/.test(text)) expect(text).toMatch(new RegExp(`\\b${scene.background} background$`));
      if (text.startsWith('a photo of') || CAPTION_FRAMINGS.some((f) => text.startsWith(f))) seen.add('framed');
      if (/ on an? \w+ background$/.test(text)) seen.add('on a … background');
      if (/, \w+ background$/.test(text)) seen.add(', … background');
      if (!text.includes('background')) seen.add('no background');
    }
    expect([...seen].sort()).toEqual([', … background', 'framed', 'no background', 'on a … background']);
  });

  it('the strict grammar is what the evaluator prompts with', () => {
    const scene = heldOutScene(new Rng(1), 1);
    expect(parseCaption(caption(scene))).toEqual(scene);
  });
});

describe('held-out combinations', () => {
  it('hold out about a tenth of (shape, colour, background) triples, never drawn for training', () => {
    let total = 0;
    let held = 0;
    for (const s of SHAPE_NAMES) for (const c of COLOUR_NAMES) for (const b of COLOUR_NAMES) if (c !== b) {
      total += 1;
      if (isHeldOut(s, c, b)) held += 1;
    }
    expect(held / total).toBeGreaterThan(0.08);
    expect(held / total).toBeLessThan(0.14);
    const rng = new Rng(2);
    for (let i = 0; i < 500; i++) {
      const scene = trainingScene(rng.fork(i));
      for (const o of scene.objects) expect(isHeldOut(o.shape, o.colour, scene.background)).toBe(false);
    }
    for (let i = 0; i < 50; i++) {
      const scene = heldOutScene(rng.fork(`h${i}`), 1);
      expect(isHeldOut(scene.objects[0]!.shape, scene.objects[0]!.colour, scene.background)).toBe(true);
    }
  });
});
