import { describe, expect, it } from 'vitest';
import { COLOURS, SceneError, renderScene, type Scene } from '@perfusion/toyworld';

const pixel = (scene: Scene, x: number, y: number) => Array.from(renderScene(scene).data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));

describe('renderScene', () => {
  it('draws only palette colours, with exact edges: a large square fills its 24×24 box and nothing else', () => {
    const scene: Scene = { background: 'gray', objects: [{ shape: 'square', colour: 'red', size: 'large', position: 'center' }] };
    const image = renderScene(scene);
    expect(image.width).toBe(64);
    expect(image.height).toBe(64);
    let red = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const rgb = Array.from(image.data.subarray(3 * p, 3 * p + 3));
      const x = p % 64;
      const y = Math.floor(p / 64);
      const inBox = x >= 20 && x < 44 && y >= 20 && y < 44;
      expect(rgb).toEqual(inBox ? [...COLOURS.red] : [...COLOURS.gray]);
      if (inBox) red++;
    }
    expect(red).toBe(24 * 24);
  });

  it('leaves the hole of a ring and the corners of a cross in the background colour', () => {
    const ring: Scene = { background: 'blue', objects: [{ shape: 'ring', colour: 'yellow', size: 'large', position: 'left' }] };
    expect(pixel(ring, 15, 32)).toEqual([...COLOURS.blue]);
    expect(pixel(ring, 15, 22)).toEqual([...COLOURS.yellow]);
    const cross: Scene = { background: 'white', objects: [{ shape: 'cross', colour: 'black', size: 'large', position: 'right' }] };
    expect(pixel(cross, 38, 21)).toEqual([...COLOURS.white]);
    expect(pixel(cross, 49, 21)).toEqual([...COLOURS.black]);
  });

  it('refuses scenes it cannot draw faithfully, saying why', () => {
    const bad = (scene: unknown) => () => renderScene(scene as Scene);
    expect(bad({ background: 'red', objects: [{ shape: 'star', colour: 'red', size: 'small', position: 'left' }] })).toThrow(/invisible/);
    expect(bad({ background: 'red', objects: [{ shape: 'blob', colour: 'blue', size: 'small', position: 'left' }] })).toThrow(/unknown shape 'blob'/);
    expect(bad({ background: 'red', objects: [] })).toThrow(SceneError);
    const overlapping = {
      background: 'gray',
      objects: [
        { shape: 'star', colour: 'blue', size: 'large', position: 'center' },
        { shape: 'star', colour: 'red', size: 'small', position: 'left' },
      ],
    };
    expect(bad(overlapping)).toThrow(/overlap or touch/);
  });
});
