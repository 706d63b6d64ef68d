import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { analyseImage, renderScene, randomScene, type Scene, type SceneObject } from '@perfusion/toyworld';

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
});
