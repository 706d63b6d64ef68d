import { describe, expect, it } from 'vitest';
import { createRgbImage } from '@perfusion/encoders';
import { enlargeRegion, SceneError, tileImages } from '@perfusion/toyworld';

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

describe('enlargeRegion', () => {
  // A 3×3 image whose pixel (x, y) is (10·y + x, 0, 0).
  const image = createRgbImage(3, 3, Uint8Array.from({ length: 27 }, (_, i) => (i % 3 === 0 ? 10 * Math.floor(i / 9) + ((i / 3) % 3) : 0)));

  it('repeats each pixel of the square factor × factor times', () => {
    const close = enlargeRegion(image, 1, 1, 2, 2);
    expect([close.width, close.height]).toEqual([4, 4]);
    const reds = Array.from({ length: 16 }, (_, i) => close.data[3 * i]);
    expect(reds).toEqual([11, 11, 12, 12, 11, 11, 12, 12, 21, 21, 22, 22, 21, 21, 22, 22]);
  });

  it('refuses a square that leaves the image, or a factor that is not a positive integer', () => {
    expect(() => enlargeRegion(image, 2, 0, 2, 2)).toThrow(/leaves the 3×3 image/);
    expect(() => enlargeRegion(image, 0, 0, 2, 0)).toThrow(SceneError);
    expect(() => enlargeRegion(image, 0, 0, 2, 1.5)).toThrow(/factor must be a positive integer/);
  });
});
