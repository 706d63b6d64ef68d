import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { analyseImage, nearestColour, renderScene, randomScene, type Scene, type SceneObject } from '@perfusion/toyworld';
import type { RgbImage } from '@perfusion/encoders';

const key = (o: Pick<SceneObject, 'shape' | 'colour' | 'size' | 'position'>) => `${o.size} ${o.colour} ${o.shape} ${o.position}`;

describe('analyseImage', () => {
  it('recovers background, count and every object attribute exactly from 500 clean renders', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const scene = randomScene(rng);
      const analysis = analyseImage(renderScene(scene), scene);
      expect(analysis.background).toBe(scene.background);
      expect(analysis.objects.map(key).sort()).toEqual(scene.objects.map(key).sort());
      for (const o of analysis.objects) expect(o.shapeMismatch).toBe(0);
      expect(analysis.score?.exact).toBe(true);
    }
  });

  it('tolerates colour noise well below half the palette spacing', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 100; i++) {
      const scene = randomScene(rng);
      const image = renderScene(scene);
      for (let k = 0; k < image.data.length; k++) image.data[k] = Math.min(255, Math.max(0, image.data[k]! + Math.round((rng.uniform() - 0.5) * 30)));
      expect(analyseImage(image, scene).score?.exact).toBe(true);
    }
  });

  it('scores an image against the wrong scene attribute by attribute', () => {
    const drawn: Scene = { background: 'gray', objects: [{ shape: 'heart', colour: 'red', size: 'large', position: 'left' }] };
    const asked: Scene = {
      background: 'white',
      objects: [
        { shape: 'star', colour: 'red', size: 'small', position: 'left' },
        { shape: 'ring', colour: 'blue', size: 'small', position: 'right' },
      ],
    };
    const { score } = analyseImage(renderScene(drawn), asked);
    expect(score).toEqual({
      background: false,
      count: false,
      objects: [
        { found: true, shape: false, colour: true, size: false, position: true },
        { found: false, shape: false, colour: false, size: false, position: false },
      ],
      exact: false,
    });
  });

  it('ignores specks smaller than minArea', () => {
    const scene: Scene = { background: 'black', objects: [{ shape: 'circle', colour: 'white', size: 'small', position: 'top' }] };
    const image = renderScene(scene);
    image.data.set([30, 70, 230], (60 * 64 + 60) * 3); // one blue pixel
    expect(analyseImage(image).objects).toHaveLength(1);
    expect(analyseImage(image, undefined, { minArea: 1 }).objects).toHaveLength(2);
  });

  it('does not count the blended band along a soft edge as an object', () => {
    // A white star on green, blurred: its edge passes through colours nearest gray.
    const scene: Scene = { background: 'green', objects: [{ shape: 'star', colour: 'white', size: 'large', position: 'center' }] };
    const image = boxBlur(boxBlur(renderScene(scene)));
    const labels = new Set<string>();
    for (let p = 0; p < 64 * 64; p++) labels.add(nearestColour(image.data[3 * p]!, image.data[3 * p + 1]!, image.data[3 * p + 2]!));
    expect(labels).toContain('gray');
    const analysis = analyseImage(image, scene);
    expect(analysis.objects.map((o) => o.colour)).toEqual(['white']);
    expect(analysis.score!.count).toBe(true);
  });

  it('keeps thin objects that stand alone, and rings', () => {
    const scene: Scene = {
      background: 'black',
      objects: [
        { shape: 'ring', colour: 'yellow', size: 'small', position: 'left' },
        { shape: 'cross', colour: 'blue', size: 'small', position: 'right' },
      ],
    };
    const image = renderScene(scene);
    for (let x = 20; x < 44; x++) image.data.set([250, 250, 250], (5 * 64 + x) * 3); // a one-pixel white line
    expect(analyseImage(image).objects.map((o) => o.colour).sort()).toEqual(['blue', 'white', 'yellow']);
    expect(analyseImage(image, scene).score!.objects.every((o) => o.shape && o.colour)).toBe(true);
  });
});

/** A 3×3 mean filter, edges clamped. */
function boxBlur(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += data[(Math.min(height - 1, Math.max(0, y + dy)) * width + Math.min(width - 1, Math.max(0, x + dx))) * 3 + c]!;
        out[(y * width + x) * 3 + c] = Math.round(sum / 9);
      }
    }
  }
  return { width, height, data: out };
}
