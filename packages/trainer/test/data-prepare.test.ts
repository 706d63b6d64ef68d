import { tensorFromImages } from '@perfusion/encoders';
import { describe, expect, it } from 'vitest';
import { TrainingDataOptionError } from '../src/data/errors.js';
import { downsampleMask, flipMaskHorizontal, prepareMask } from '../src/data/mask.js';
import { centerSquare, flipHorizontal, prepareImage } from '../src/data/prepare-image.js';
import { resampleRegion } from '../src/data/resample.js';
import { paint, pixel, solid } from './data-fixtures.js';

const checker = (width: number, height: number, dark: number, light: number) =>
  paint(width, height, (x, y) => ((x + y) % 2 === 0 ? [dark, dark, dark] : [light, light, light]));

/** The red channel as rows, for readable expectations. */
function reds(image: { width: number; height: number; data: Uint8Array }): number[][] {
  return Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3]!));
}

describe('centerSquare', () => {
  it('takes the middle, leaving an odd extra pixel on the right or bottom', () => {
    expect(centerSquare(4, 2)).toEqual({ left: 1, top: 0, width: 2, height: 2 });
    expect(centerSquare(5, 2)).toEqual({ left: 1, top: 0, width: 2, height: 2 });
    expect(centerSquare(3, 7)).toEqual({ left: 0, top: 2, width: 3, height: 3 });
    expect(centerSquare(6, 6)).toEqual({ left: 0, top: 0, width: 6, height: 6 });
  });
});

describe('prepareImage', () => {
  it('crops a 4 × 2 image to its middle 2 × 2 pixels', () => {
    // Red = 10·(x + 1) + 100·y, so columns 1 and 2 hold 20, 30 and 120, 130.
    const image = paint(4, 2, (x, y) => [10 * (x + 1) + 100 * y, 7, 200]);
    const prepared = prepareImage(image, 2);
    expect(reds(prepared)).toEqual([[20, 30], [120, 130]]);
    expect(pixel(prepared, 1, 1)).toEqual([130, 7, 200]);
    const tall = paint(2, 4, (x, y) => [x + 10 * y, 0, 0]);
    expect(reds(prepareImage(tall, 2))).toEqual([[10, 11], [20, 21]]);
  });

  it('shrinks a checkerboard to its mean (area average, no aliasing)', () => {
    expect(prepareImage(checker(8, 8, 0, 200), 1).data).toEqual(Uint8Array.of(100, 100, 100));
    expect(reds(prepareImage(checker(8, 8, 40, 60), 4))).toEqual(Array.from({ length: 4 }, () => [50, 50, 50, 50]));
    // 0/255 averages to 127.5 exactly (integer arithmetic), rounded half up.
    expect(prepareImage(checker(2, 2, 0, 255), 1).data).toEqual(Uint8Array.of(128, 128, 128));
    // A non-integer factor still averages every pixel: 9 × 9 → 2 × 2 of a 30/90 board stays near 60.
    for (const v of prepareImage(checker(9, 9, 30, 90), 2).data) expect(Math.abs(v - 60)).toBeLessThanOrEqual(4);
  });

  it('matches independent area and bilinear references', () => {
    // Golden values from NumPy/PyTorch (/usr/bin/python3, torch 1.13, float64):
    //   area 5 → 3:     np.repeat(np.repeat(a, 3, 0), 3, 1).reshape(3, 5, 3, 5).mean(axis=(1, 3))
    //   bilinear 3 → 5: F.interpolate(a[:3, :3], size=(5, 5), mode='bilinear', align_corners=False)
    const a = [
      [12, 200, 37, 90, 255],
      [0, 64, 128, 192, 31],
      [77, 15, 240, 8, 100],
      [50, 150, 250, 25, 175],
      [99, 1, 123, 210, 66],
    ];
    const plane = { width: 5, height: 5, channels: 1, data: a.flat() };
    const area = resampleRegion(plane, { left: 0, top: 0, width: 5, height: 5 }, 3, 3);
    const areaGolden = [62.56, 99.32, 151.56, 54.44, 151.76, 80, 71.88, 143.6, 120.16];
    areaGolden.forEach((v, i) => expect(area[i]).toBeCloseTo(v, 10));
    const bilinear = resampleRegion(plane, { left: 0, top: 0, width: 3, height: 3 }, 5, 5);
    const bilinearGolden = [
      12, 87.2, 200, 102.2, 37, 7.2, 62.56, 145.6, 102.28, 73.4, 0, 25.6, 64, 102.4, 128, 46.2, 41.56, 34.6, 130.96, 195.2, 77, 52.2,
      15, 150, 240,
    ];
    bilinearGolden.forEach((v, i) => expect(bilinear[i]).toBeCloseTo(v, 10));
  });

  it('enlarges bilinearly between pixel centres, clamping at the edges', () => {
    // [0, 100] → 4: centres map to x = −0.25, 0.25, 0.75, 1.25 → 0, 25, 75, 100.
    const image = paint(2, 2, (x) => [100 * x, 0, 0]);
    expect(reds(prepareImage(image, 4))).toEqual(Array.from({ length: 4 }, () => [0, 25, 75, 100]));
  });

  it('keeps a uniform image uniform at any size, and the same size unchanged', () => {
    const flat = solid(7, 5, [12, 34, 56]);
    for (const size of [1, 3, 5, 8, 13]) expect(prepareImage(flat, size)).toEqual(solid(size, size, [12, 34, 56]));
    const square = paint(6, 6, (x, y) => [x * 40, y * 40, (x * y) % 256]);
    expect(prepareImage(square, 6)).toEqual(square);
  });

  it('refuses a bad resolution', () => {
    for (const bad of [0, -8, 2.5, Number.NaN]) expect(() => prepareImage(solid(2, 2, [0, 0, 0]), bad)).toThrow(TrainingDataOptionError);
    expect(() => prepareImage(solid(2, 2, [0, 0, 0]), 0)).toThrow('resolution must be a positive integer number of pixels, got 0.');
  });

  it('gives images that tensorFromImages turns into the VAE encoder input', () => {
    const prepared = prepareImage(paint(6, 4, (x) => [x * 51, 0, 255]), 4);
    const t = tensorFromImages([prepared, flipHorizontal(prepared)]);
    expect(t.shape).toEqual([2, 3, 4, 4]);
    expect(t.data[0]).toBeCloseTo(2 * (51 / 255) - 1, 6); // image 0, red, (0, 0) = column 1 of the source
    expect(t.data[2 * 16]).toBe(1); // image 0, blue plane
  });
});

describe('flipHorizontal', () => {
  it('mirrors rows and leaves the input alone', () => {
    const image = paint(3, 2, (x, y) => [x + 3 * y, 100 + x, 200]);
    const flipped = flipHorizontal(image);
    expect(reds(flipped)).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(pixel(flipped, 0, 0)).toEqual([2, 102, 200]);
    expect(reds(image)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(flipHorizontal(flipped)).toEqual(image);
  });
});

describe('masks', () => {
  it('takes the brightest channel, crops and resizes like the image', () => {
    // 4 × 2: columns 1 and 2 survive the crop; column 1 is pure red (max 255), column 2 dark grey.
    const maskImage = paint(4, 2, (x) => (x === 1 ? [255, 0, 0] : x === 2 ? [51, 51, 51] : [255, 255, 255]));
    expect([...prepareMask(maskImage, 2)]).toEqual([1, 0.2, 1, 0.2].map(Math.fround));
    // Shrunk to 1 pixel: the mean of 1 and 0.2.
    expect(prepareMask(maskImage, 1)[0]).toBeCloseTo(0.6, 6);
  });

  it('averages masks onto the latent grid', () => {
    // 16 × 16, concept in the left 4 columns: with factor 8, latent cell (0, y) is half covered.
    const mask = new Float32Array(256);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 4; x++) mask[y * 16 + x] = 1;
    expect([...downsampleMask(mask, 16, 8)]).toEqual([0.5, 0, 0.5, 0]);
    const board = Float32Array.from({ length: 64 }, (_, i) => ((i % 8) + Math.floor(i / 8)) % 2);
    expect([...downsampleMask(board, 8, 4)]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(downsampleMask(board, 8, 1)).toEqual(board);
  });

  it('refuses a latent factor that does not divide the resolution, and a mask of the wrong size', () => {
    expect(() => downsampleMask(new Float32Array(100), 10, 8)).toThrow('resolution 10 is not a multiple of the latent factor 8');
    expect(() => downsampleMask(new Float32Array(63), 8, 8)).toThrow('a 8 × 8 mask has 64 values, but this one has 63');
    expect(() => flipMaskHorizontal(new Float32Array(5), 2)).toThrow(TrainingDataOptionError);
  });

  it('mirrors a mask like its image', () => {
    const mask = Float32Array.of(0.1, 0.2, 0.3, 0.4);
    expect([...flipMaskHorizontal(mask, 2)]).toEqual([0.2, 0.1, 0.4, 0.3].map(Math.fround));
  });
});
