import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { COLOUR_NAMES, POSITION_NAMES, SHAPE_NAMES, SIZE_NAMES, SceneError, boxesApart, objectBox, objectCovers, randomScene, SCENE_SIZE } from '@perfusion/toyworld';

const scenes = (seed: number, n: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => randomScene(rng));
};

describe('randomScene', () => {
  it('gives the same scenes for the same seed and different ones for another seed', () => {
    expect(scenes(7, 50)).toEqual(scenes(7, 50));
    expect(scenes(8, 50)).not.toEqual(scenes(7, 50));
  });

  it('uses every shape, colour, size, position and count, and never paints an object the background colour', () => {
    const all = scenes(1, 500);
    const objects = all.flatMap((s) => s.objects);
    expect(new Set(objects.map((o) => o.shape))).toEqual(new Set(SHAPE_NAMES));
    expect(new Set(objects.map((o) => o.colour))).toEqual(new Set(COLOUR_NAMES));
    expect(new Set(objects.map((o) => o.size))).toEqual(new Set(SIZE_NAMES));
    expect(new Set(objects.map((o) => o.position))).toEqual(new Set(POSITION_NAMES));
    expect(new Set(all.map((s) => s.background))).toEqual(new Set(COLOUR_NAMES));
    expect(new Set(all.map((s) => s.objects.length))).toEqual(new Set([1, 2]));
    for (const scene of all) for (const o of scene.objects) expect(o.colour).not.toBe(scene.background);
  });

  it('keeps two objects apart: their boxes have a gap and no pixel is covered by both or by a neighbour of the other', () => {
    const pairs = scenes(2, 500).filter((s) => s.objects.length === 2);
    expect(pairs.length).toBeGreaterThan(200);
    for (const { objects: [a, b] } of pairs) {
      expect(a!.position).not.toBe(b!.position);
      expect(boxesApart(objectBox(a!.size, a!.position), objectBox(b!.size, b!.position))).toBe(true);
      for (let y = 0; y < SCENE_SIZE; y++) {
        for (let x = 0; x < SCENE_SIZE; x++) {
          if (!objectCovers(a!, x, y)) continue;
          for (const [dx, dy] of [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]] as const) expect(objectCovers(b!, x + dx, y + dy)).toBe(false);
        }
      }
    }
  });

  it('follows its options', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 100; i++) {
      const scene = randomScene(rng, { objects: 2, shapes: ['ring', 'star'], colours: ['red'] });
      expect(scene.objects).toHaveLength(2);
      for (const o of scene.objects) {
        expect(['ring', 'star']).toContain(o.shape);
        expect(o.colour).toBe('red');
      }
      expect(scene.background).not.toBe('red');
    }
    expect(() => randomScene(rng, { shapes: [] })).toThrow(SceneError);
  });
});
