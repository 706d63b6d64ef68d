import type { RgbImage } from '@perfusion/encoders';
import { describe, expect, it } from 'vitest';
import { analyseImage, classifyShape, COLOURS, objectCovers, renderScene, SHAPE_NAMES, type ColourName, type Scene } from '../src/index.js';
import { gaussianBlur } from '../src/blur.js';
import { SIZE_NAMES } from '../src/scene.js';

/** `image` with each channel blurred by a Gaussian of `sigma` pixels: the soft edges a decoder leaves. */
function blurred(image: RgbImage, sigma: number): RgbImage {
  const { width, height } = image;
  const data = new Uint8Array(image.data.length);
  for (let c = 0; c < 3; c++) {
    const channel = Float32Array.from({ length: width * height }, (_, p) => image.data[3 * p + c]!);
    gaussianBlur(channel, width, height, sigma).forEach((v, p) => (data[3 * p + c] = Math.round(v)));
  }
  return { width, height, data };
}

/** A picture of `inside` (a test on box coordinates in [-1, 1]²) of `size` pixels in `colour` at the centre of a `background` picture, blurred by `sigma`. */
function drawn(inside: (u: number, v: number) => boolean, size: number, colour: ColourName, background: ColourName, sigma: number): RgbImage {
  const share = new Float32Array(64 * 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) share[y * 64 + x] = inside((x + 0.5 - 32) / (size / 2), (y + 0.5 - 32) / (size / 2)) ? 1 : 0;
  const soft = sigma > 0 ? gaussianBlur(share, 64, 64, sigma) : share;
  const [o, b] = [COLOURS[colour], COLOURS[background]];
  const data = new Uint8Array(64 * 64 * 3);
  for (let p = 0; p < 64 * 64; p++) for (let c = 0; c < 3; c++) data[3 * p + c] = Math.round(b[c]! + soft[p]! * (o[c]! - b[c]!));
  return { width: 64, height: 64, data };
}

/** The star's convex hull: its five tips joined, the notches between them filled. */
function insidePentagon(u: number, v: number): boolean {
  const tips = Array.from({ length: 5 }, (_, k) => [Math.cos(-Math.PI / 2 + (2 * Math.PI * k) / 5), Math.sin(-Math.PI / 2 + (2 * Math.PI * k) / 5)] as const);
  const [us, vs] = [tips.map((t) => t[0]), tips.map((t) => t[1])];
  const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
  const corners = tips.map(([tu, tv]) => [(2 * (tu - u0)) / (u1 - u0) - 1, (2 * (tv - v0)) / (v1 - v0) - 1] as const);
  // Convex and listed clockwise (v points down): inside when left of no edge.
  return corners.every(([au, av], i) => {
    const [bu, bv] = corners[(i + 1) % corners.length]!;
    return (bu - au) * (v - av) - (bv - av) * (u - au) >= 0;
  });
}

const PAIRS: readonly [ColourName, ColourName][] = [
  ['yellow', 'blue'],
  ['red', 'purple'],
  ['white', 'orange'],
  ['black', 'gray'],
];

describe('classifyShape', () => {
  it('matches every shape drawn at every size exactly, from a 0/1 mask', () => {
    for (const shape of SHAPE_NAMES) {
      for (const size of SIZE_NAMES) {
        const object = { shape, size, colour: 'red', position: 'center' } as const;
        const mask = Uint8Array.from({ length: 64 * 64 }, (_, p) => (objectCovers(object, p % 64, Math.floor(p / 64)) ? 1 : 0));
        expect(classifyShape(mask, 64, 64)).toEqual({ shape, mismatch: 0 });
      }
    }
  });

  // From σ 0.8 a small ring's thin band breaks into pieces of the nearest palette colour, and the blend
  // around it is as thin as the ring: before joinBridgedPieces and blend-band reading, 50 of 64 small
  // rings at σ 0.8 read back as one ring. From σ 1.2 small crosses blur into diamonds (the classifier's limit).
  it.each([0.5, 0.7, 0.8, 1.0])('reads every shape back from a render blurred by σ %s px, as a decoder softens it', (sigma) => {
    for (const shape of SHAPE_NAMES) {
      for (const size of SIZE_NAMES) {
        for (const [colour, background] of PAIRS) {
          for (const position of ['center', 'left'] as const) {
            const scene: Scene = { background, objects: [{ shape, colour, size, position }] };
            const analysis = analyseImage(blurred(renderScene(scene), sigma), scene);
            expect({ scene: `${size} ${colour} ${shape} ${position} on ${background}`, objects: analysis.objects.map((o) => o.shape) }).toEqual({
              scene: `${size} ${colour} ${shape} ${position} on ${background}`,
              objects: [shape],
            });
          }
        }
      }
    }
  });

  it.each([0, 0.5, 0.8, 1.1])('does not take a star with its notches filled (a pentagon) for a star, sharp or blurred by σ %s px', (sigma) => {
    for (const size of [12, 24]) {
      for (const [colour, background] of PAIRS) {
        const objects = analyseImage(drawn(insidePentagon, size, colour, background, sigma)).objects;
        expect(objects).toHaveLength(1);
        expect(objects[0]!.shape).not.toBe('star');
      }
    }
  });

  it('reads a ring whose hole is filled as a circle', () => {
    const objects = analyseImage(drawn((u, v) => u * u + v * v <= 1, 12, 'yellow', 'blue', 0.8)).objects;
    expect(objects.map((o) => o.shape)).toEqual(['circle']);
  });
});

describe('gaussianBlur', () => {
  it('keeps the mass of a point away from the edges and spreads it symmetrically', () => {
    const map = new Float32Array(15 * 15);
    map[7 * 15 + 7] = 1;
    const out = gaussianBlur(map, 15, 15, 1);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(out[7 * 15 + 6]).toBeCloseTo(out[7 * 15 + 8]!, 6);
    expect(out[6 * 15 + 7]).toBeCloseTo(out[7 * 15 + 6]!, 6);
    expect(out[7 * 15 + 7]!).toBeGreaterThan(out[7 * 15 + 6]!);
  });
});
