import { describe, expect, it } from 'vitest';
import { createRgbImage } from '@perfusion/encoders';
import { SceneError, tileImages } from '@perfusion/toyworld';

describe('tileImages', () => {
  it('places image n at row floor(n / columns), column n mod columns', () => {
    const tiles = [1, 2, 3].map((v) => createRgbImage(2, 1, new Uint8Array(6).fill(v)));
    const grid = tileImages(tiles, 2);
    expect([grid.width, grid.height]).toEqual([4, 2]);
    expect(Array.from(grid.data)).toEqual([...Array(6).fill(1), ...Array(6).fill(2), ...Array(6).fill(3), ...Array(6).fill(0)]);
  });

  it('refuses images of different sizes', () => {
    expect(() => tileImages([createRgbImage(2, 2), createRgbImage(3, 2)], 2)).toThrow(SceneError);
  });
});
