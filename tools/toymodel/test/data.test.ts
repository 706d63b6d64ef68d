import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { caption, COLOUR_NAMES, objectBox, objectCovers, parseCaption, PLACE_PHRASES, randomScene, renderScene, SHAPE_NAMES, SIZE_NAMES, type Scene } from '@perfusion/toyworld';
import {
  CAPTION_FRAMINGS,
  contrastFactor,
  MAX_CONTRAST_FACTOR,
  exampleConceptMask,
  exampleConceptScenes,
  HARD_SCENE_SHARE,
  HARD_SHAPES,
  heldOutScene,
  isExampleConceptPattern,
  isHeldOut,
  curriculumScene,
  LOOKALIKE_SCENE_SHARE,
  LOOKALIKE_SHAPES,
  LOW_CONTRAST_SCENE_SHARE,
  lowContrastPairs,
  SMALL_SCENE_SHARE,
  SMALL_SCENE_GRAY_CHANCE,
  objectBoxWeights,
  objectCellWeights,
  objectPixelWeights,
  PATTERN_RATE,
  TOY_TEXT_ENCODER,
  TOY_VOCAB_SIZE,
  toyTokenizer,
  trainingCaption,
  trainingScene,
  TRAINING_PATTERN_CELL,
} from '../src/index.js';

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

/**
 * Draws `n` training scenes with `draw`, checks that each renders (shrunk objects stay apart) and holds
 * no held-out combination, and returns the share made only of small objects of `shapes`, with the
 * shapes seen in those.
 */
function smallOnlyShare(draw: (i: number) => Scene, n: number, shapes: readonly string[]): { share: number; seen: Set<string> } {
  let count = 0;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const scene = draw(i);
    renderScene(scene);
    for (const o of scene.objects) expect(isHeldOut(o.shape, o.colour, scene.background)).toBe(false);
    if (scene.objects.every((o) => o.size === 'small' && shapes.includes(o.shape))) {
      count += 1;
      scene.objects.forEach((o) => seen.add(o.shape));
    }
  }
  return { share: count / n, seen };
}

describe('training scenes with hard shapes', () => {
  it('make about a third of the scenes small stars, crosses and rings only, none of them held out', () => {
    const rng = new Rng(5);
    const { share } = smallOnlyShare((i) => trainingScene(rng.fork(i), { hardShapes: true }), 600, HARD_SHAPES);
    // A third drawn so, plus the plain scenes that happen to be (1/16 of one-object ones).
    expect(share).toBeGreaterThan(HARD_SCENE_SHARE);
    expect(share).toBeLessThan(HARD_SCENE_SHARE + 0.1);
  });

  it('leave the plain draw as it was when off', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 50; i++) expect(trainingScene(rng.fork(i), { hardShapes: false })).toEqual(trainingScene(rng.fork(i)));
  });

  it('for the autoencoder (curriculumScene) keep held-out combinations, which the decoder must draw too', () => {
    const rng = new Rng(8);
    let heldOut = 0;
    let hardOnly = 0;
    const n = 600;
    for (let i = 0; i < n; i++) {
      expect(curriculumScene(rng.fork(i))).toEqual(randomScene(rng.fork(i)));
      const scene = curriculumScene(rng.fork(i), { hardShapes: true });
      renderScene(scene);
      if (scene.objects.some((o) => isHeldOut(o.shape, o.colour, scene.background))) heldOut += 1;
      if (scene.objects.every((o) => o.size === 'small' && HARD_SHAPES.includes(o.shape))) hardOnly += 1;
    }
    expect(heldOut).toBeGreaterThan(0);
    expect(hardOnly / n).toBeGreaterThan(HARD_SCENE_SHARE);
    expect(hardOnly / n).toBeLessThan(HARD_SCENE_SHARE + 0.1);
  });
});

describe('training scenes with small scenes', () => {
  it('make about a third of the scenes small objects only, of every shape, gray backgrounds more often, none held out', () => {
    const rng = new Rng(9);
    const n = 1200;
    let smallOnly = 0;
    const shapes = new Set<string>();
    for (let i = 0; i < n; i++) {
      const scene = trainingScene(rng.fork(i), { smallScenes: true });
      renderScene(scene);
      for (const o of scene.objects) expect(isHeldOut(o.shape, o.colour, scene.background)).toBe(false);
      if (scene.objects.every((o) => o.size === 'small')) {
        smallOnly += 1;
        scene.objects.forEach((o) => shapes.add(o.shape));
      }
    }
    // A third drawn so, plus the plain scenes that happen to be (most two-object scenes are: two large boxes rarely fit apart).
    const plain = Array.from({ length: n }, (_, i) => trainingScene(rng.fork(`plain-${i}`))).filter((scene) => scene.objects.every((o) => o.size === 'small')).length / n;
    expect(smallOnly / n).toBeGreaterThan(SMALL_SCENE_SHARE + (1 - SMALL_SCENE_SHARE) * plain - 0.05);
    expect(smallOnly / n).toBeLessThan(SMALL_SCENE_SHARE + (1 - SMALL_SCENE_SHARE) * plain + 0.05);
    expect(shapes.size).toBe(8);
    // Gray more often: a third of the scenes are set on it with SMALL_SCENE_GRAY_CHANCE over the plain draw's odds.
    const grayShare = (scenes: readonly Scene[]): number => scenes.filter((scene) => scene.background === 'gray').length / scenes.length;
    const many = 3000;
    const withSmall = grayShare(Array.from({ length: many }, (_, i) => trainingScene(rng.fork(`gray-${i}`), { smallScenes: true })));
    const without = grayShare(Array.from({ length: many }, (_, i) => trainingScene(rng.fork(`gray-${i}`))));
    expect(withSmall - without).toBeGreaterThan((SMALL_SCENE_SHARE * SMALL_SCENE_GRAY_CHANCE) / 2);
  });

  it('leave the draw as it was when off, with or without hard shapes', () => {
    const rng = new Rng(10);
    for (let i = 0; i < 50; i++) {
      expect(trainingScene(rng.fork(i), { smallScenes: false })).toEqual(trainingScene(rng.fork(i)));
      expect(curriculumScene(rng.fork(i), { hardShapes: true, smallScenes: false })).toEqual(curriculumScene(rng.fork(i), { hardShapes: true }));
    }
  });
});

describe('patterned training scenes', () => {
  it('give about a quarter of objects a valid stripe or check fill, never the example concept’s', () => {
    const rng = new Rng(11);
    let objects = 0;
    let patterned = 0;
    const kinds = new Set<string>();
    for (let i = 0; i < 800; i++) {
      const scene = trainingScene(rng.fork(i), { patterns: true });
      renderScene(scene); // validates: the second colour differs from the object's and the background
      for (const o of scene.objects) {
        objects += 1;
        if (o.pattern === undefined) continue;
        patterned += 1;
        kinds.add(o.pattern.kind);
        expect(o.pattern.cell).toBe(TRAINING_PATTERN_CELL);
        expect(isExampleConceptPattern(o, o.pattern), JSON.stringify(o)).toBe(false);
      }
    }
    expect(patterned / objects).toBeGreaterThan(PATTERN_RATE - 0.04);
    expect(patterned / objects).toBeLessThan(PATTERN_RATE + 0.04);
    expect([...kinds].sort()).toEqual(['checkered', 'striped']);
    for (let i = 0; i < 100; i++) expect(trainingScene(rng.fork(`flat${i}`)).objects.every((o) => o.pattern === undefined)).toBe(true);
  });

  it('name their pattern before the noun in every caption, never its second colour', () => {
    const scene: Scene = { background: 'gray', objects: [{ shape: 'heart', colour: 'red', size: 'large', position: 'left', pattern: { kind: 'striped', colour: 'blue', cell: 8 } }] };
    for (let i = 0; i < 50; i++) {
      const text = trainingCaption(scene, new Rng(i));
      expect(text).toMatch(/\bstriped heart\b/);
      expect(text).not.toContain('blue');
    }
  });

  it('the example concept’s mask covers its star and a margin, nothing else', () => {
    const [scene] = exampleConceptScenes();
    const mask = exampleConceptMask(scene!);
    const object = scene!.objects[0]!;
    const box = objectBox(object.size, object.position);
    let inside = 0;
    let covered = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const white = mask.data[(y * 64 + x) * 3] === 255;
        if (objectCovers(object, x, y)) {
          covered += 1;
          expect(white).toBe(true);
        }
        if (!white) continue;
        inside += 1;
        expect(x >= box.x0 - 2 && x < box.x1 + 2 && y >= box.y0 - 2 && y < box.y1 + 2, `(${x}, ${y})`).toBe(true);
      }
    }
    expect(inside).toBeGreaterThan(covered);
  });
});

describe('object cell weights', () => {
  const square = (size: 'small' | 'large', position: 'center' | 'left'): Scene => ({ background: 'blue', objects: [{ shape: 'square', colour: 'red', size, position }] });
  const weighted = (data: Float32Array, offset: number): string[] => {
    const cells: string[] = [];
    for (let k = 0; k < 256; k++) if (data[offset + k] === 5) cells.push(`${Math.floor(k / 16)},${k % 16}`);
    return cells;
  };

  it('weighs the cells an object touches and the ring around them, 1 elsewhere', () => {
    // A small square in the centre covers pixels 26–37: cells 6–9 of 4 pixels, grown by one to 5–10.
    const weights = objectCellWeights([square('small', 'center')], 16, 5);
    expect(weights.shape).toEqual([1, 1, 16, 16]);
    const data = weights.data as Float32Array;
    const expected: string[] = [];
    for (let j = 5; j <= 10; j++) for (let i = 5; i <= 10; i++) expected.push(`${j},${i}`);
    expect(weighted(data, 0)).toEqual(expected);
    expect(data.filter((v) => v === 1).length).toBe(256 - 36);
  });

  it('clips the ring at the picture edge without wrapping to the other side', () => {
    // A large square on the left covers pixels 3–26 across (cells 0–6) and 20–43 down (cells 5–10).
    const data = objectCellWeights([square('small', 'center'), square('large', 'left')], 16, 5).data as Float32Array;
    const cells = weighted(data, 256);
    expect(cells).toContain('4,0');
    expect(cells).toContain('11,7');
    expect(cells.some((c) => c.endsWith(',15') || c.endsWith(',8'))).toBe(false);
    expect(cells.length).toBe(8 * 8);
  });

  it('weighs a small object’s cells smallObjectFactor times more, a large one’s as before, the larger where they meet', () => {
    const scene: Scene = {
      background: 'blue',
      objects: [
        { shape: 'square', colour: 'red', size: 'small', position: 'center' },
        { shape: 'square', colour: 'red', size: 'large', position: 'left' },
      ],
    };
    const data = objectCellWeights([scene], 16, 5, 4).data as Float32Array;
    const cellsOf = (weight: number): number => data.filter((v) => v === weight).length;
    // Small square: cells 5–10 both ways (36); large one on the left: rows 4–11, columns 0–7 (64); they share rows 5–10 × columns 5–7 (18).
    expect(cellsOf(20)).toBe(36);
    expect(cellsOf(5)).toBe(64 - 18);
    expect(data[7 * 16 + 6]).toBe(20);
    expect(Array.from(objectCellWeights([scene], 16, 5, 1).data as Float32Array)).toEqual(Array.from(objectCellWeights([scene], 16, 5).data as Float32Array));
  });

  it('refuses a latent side that does not divide the picture', () => {
    expect(() => objectCellWeights([square('small', 'center')], 10, 5)).toThrow(/latent side of 10 does not divide/);
  });
});

describe('object box weights', () => {
  const star: Scene = { background: 'blue', objects: [{ shape: 'star', colour: 'yellow', size: 'small', position: 'center' }] };

  it('weigh the background inside and around an outline as the object, where object pixel weights leave it at 1', () => {
    // The small star's box is pixels 26–37 each way; with a margin of 2, 24–39: 16 × 16 pixels.
    const boxes = objectBoxWeights([star], 8, 2).data as Float32Array;
    const pixels = objectPixelWeights([star], 8).data as Float32Array;
    expect(boxes.filter((v) => v === 8).length).toBe(16 * 16);
    expect(boxes.filter((v) => v === 1).length).toBe(64 * 64 - 16 * 16);
    const corner = 26 * 64 + 26; // inside the box, outside the star: the background between two points
    expect(objectCovers(star.objects[0]!, 26, 26)).toBe(false);
    expect([boxes[corner], pixels[corner]]).toEqual([8, 1]);
    expect([boxes[24 * 64 + 24], boxes[23 * 64 + 24], boxes[24 * 64 + 40]]).toEqual([8, 1, 1]);
    for (let p = 0; p < pixels.length; p++) if (pixels[p] === 8) expect(boxes[p]).toBe(8);
  });

  it('weigh a small object\'s box by the small-box factor, a large one\'s not', () => {
    const pair: Scene = {
      background: 'blue',
      objects: [
        { shape: 'star', colour: 'yellow', size: 'small', position: 'left' },
        { shape: 'ring', colour: 'red', size: 'large', position: 'right' },
      ],
    };
    const boxes = objectBoxWeights([pair], 8, 2, 4).data as Float32Array;
    // Small box on the left: columns 9–20 and rows 26–37, widened to 16 × 16; large on the right: 24 × 24 widened to 28 × 28.
    expect(boxes.filter((v) => v === 32).length).toBe(16 * 16);
    expect(boxes.filter((v) => v === 8).length).toBe(28 * 28);
    expect([boxes[32 * 64 + 14], boxes[32 * 64 + 48], boxes[0]]).toEqual([32, 8, 1]);
    expect(objectBoxWeights([pair], 8, 2).data).toEqual(objectBoxWeights([pair], 8, 2, 1).data);
    expect(new Set(objectBoxWeights([pair], 8, 2, 1.5).data as Float32Array)).toEqual(new Set([1, 8, 12]));
  });

  it('weigh a box more the closer its colour lies to the background, with contrast on', () => {
    // Gray (128,128,128) and purple (140,40,190) lie 108.3 apart; white on blue and yellow on blue far more than 200.
    expect(contrastFactor('gray', 'purple')).toBeCloseTo((200 / Math.hypot(12, 88, 62)) ** 2, 6);
    expect(contrastFactor('white', 'blue')).toBe(1);
    expect(contrastFactor('orange', 'yellow')).toBe(MAX_CONTRAST_FACTOR); // 94.9 apart: (200 / 94.9)² = 4.4, capped
    const pair: Scene = {
      background: 'purple',
      objects: [
        { shape: 'star', colour: 'gray', size: 'small', position: 'left' },
        { shape: 'ring', colour: 'yellow', size: 'large', position: 'right' },
      ],
    };
    const plain = objectBoxWeights([pair], 8, 2, 4).data as Float32Array;
    const weighted = objectBoxWeights([pair], 8, 2, 4, contrastFactor).data as Float32Array;
    const [small, large] = [32 * 64 + 14, 32 * 64 + 48];
    expect(weighted[small]).toBeCloseTo(plain[small]! * contrastFactor('gray', 'purple'), 4);
    expect(weighted[large]).toBe(plain[large]); // yellow on purple: 200 or more apart
    expect(weighted[0]).toBe(1);
  });

  it('weigh a low-contrast object\'s latent cells by its contrast factor too, with contrast on', () => {
    const scene: Scene = { background: 'purple', objects: [{ shape: 'star', colour: 'gray', size: 'small', position: 'center' }] };
    const plain = objectCellWeights([scene], 16, 4, 4).data as Float32Array;
    const weighted = objectCellWeights([scene], 16, 4, 4, contrastFactor).data as Float32Array;
    const centre = 8 * 16 + 8;
    expect(plain[centre]).toBe(16);
    expect(weighted[centre]).toBeCloseTo(16 * contrastFactor('gray', 'purple'), 4);
    expect(weighted[0]).toBe(1);
  });

  it('clip a box at the picture edge', () => {
    // A large object on the left: box columns 3–26 and rows 20–43; a margin of 5 would start at column −2.
    const left: Scene = { background: 'blue', objects: [{ shape: 'ring', colour: 'red', size: 'large', position: 'left' }] };
    const boxes = objectBoxWeights([left], 8, 5).data as Float32Array;
    expect(boxes[32 * 64 + 0]).toBe(8);
    expect(boxes[32 * 64 + 63]).toBe(1);
    expect(boxes.filter((v) => v === 8).length).toBe((3 + 24 + 5) * (24 + 10));
  });
});

describe('training scenes with lookalike shapes', () => {
  it('make about a quarter of the scenes small diamonds, crosses and stars only, each of the three, none held out', () => {
    const rng = new Rng(11);
    const { share, seen } = smallOnlyShare((i) => trainingScene(rng.fork(i), { lookalikeShapes: true }), 800, LOOKALIKE_SHAPES);
    // A quarter drawn so, plus the plain scenes that happen to be (3/16 of one-object ones, fewer of two-object ones).
    expect(share).toBeGreaterThan(LOOKALIKE_SCENE_SHARE);
    expect(share).toBeLessThan(LOOKALIKE_SCENE_SHARE + 0.15);
    expect([...seen].sort()).toEqual(['cross', 'diamond', 'star']);
  });

  it('leave the draw as it was when off, with or without the other options', () => {
    const rng = new Rng(12);
    for (let i = 0; i < 50; i++) {
      expect(trainingScene(rng.fork(i), { lookalikeShapes: false })).toEqual(trainingScene(rng.fork(i)));
      expect(curriculumScene(rng.fork(i), { hardShapes: true, smallScenes: true, lookalikeShapes: false })).toEqual(curriculumScene(rng.fork(i), { hardShapes: true, smallScenes: true }));
    }
  });
});

describe('training scenes with low-contrast pairs', () => {
  it('list the ordered pairs a contrast factor weighs up, each weighted by its factor', () => {
    const pairs = lowContrastPairs(contrastFactor);
    for (const { colour, background, weight } of pairs) {
      expect(weight).toBe(contrastFactor(colour, background));
      expect(weight).toBeGreaterThan(1);
      expect(pairs.some((p) => p.colour === background && p.background === colour)).toBe(true);
    }
    const outside = COLOUR_NAMES.flatMap((c) => COLOUR_NAMES.filter((b) => b !== c && !pairs.some((p) => p.colour === c && p.background === b)).map((b) => contrastFactor(c, b)));
    expect(new Set(outside)).toEqual(new Set([1]));
    expect(pairs.length + outside.length).toBe(72);
  });

  it('make about a third of the scenes small objects of one pair’s colour on its background, pairs drawn by weight, none held out', () => {
    // Neither pair is part of a held-out combination, so no draw of them is thrown back.
    const pairs = [
      { colour: 'green', background: 'gray', weight: 1 },
      { colour: 'blue', background: 'black', weight: 3 },
    ] as const;
    const rng = new Rng(13);
    const n = 1200;
    const counts = { green: 0, blue: 0 };
    for (let i = 0; i < n; i++) {
      const scene = trainingScene(rng.fork(i), { lowContrastPairs: pairs });
      for (const o of scene.objects) expect(isHeldOut(o.shape, o.colour, scene.background)).toBe(false);
      const pair = pairs.find((p) => p.background === scene.background && scene.objects.every((o) => o.colour === p.colour && o.size === 'small'));
      if (pair) counts[pair.colour] += 1;
    }
    // A third drawn so, plus the rare plain scene that happens to be one (2 of 72 pairs, small, one colour).
    const share = (counts.green + counts.blue) / n;
    expect(share).toBeGreaterThan(LOW_CONTRAST_SCENE_SHARE - 0.04);
    expect(share).toBeLessThan(LOW_CONTRAST_SCENE_SHARE + 0.05);
    expect(counts.blue / counts.green).toBeGreaterThan(2);
    expect(counts.blue / counts.green).toBeLessThan(4.5);
  });

  it('leave the draw as it was with no pairs, and lookalike scenes first', () => {
    const rng = new Rng(14);
    const pairs = lowContrastPairs(contrastFactor);
    for (let i = 0; i < 50; i++) {
      expect(trainingScene(rng.fork(i), { lowContrastPairs: [] })).toEqual(trainingScene(rng.fork(i)));
      const withPairs = curriculumScene(rng.fork(i), { lookalikeShapes: true, lowContrastPairs: pairs });
      const lookalikeOnly = curriculumScene(rng.fork(i), { lookalikeShapes: true });
      if (rng.fork(i).fork('lookalike').uniform() < LOOKALIKE_SCENE_SHARE) expect(withPairs).toEqual(lookalikeOnly);
    }
  });
});
