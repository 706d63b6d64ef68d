import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageTooLargeError, TrainingDataOptionError, UnreadableImageError } from '../src/data/errors.js';
import { applyExifOrientation, exifOrientation } from '../src/data/exif-orientation.js';
import { decodeTrainingImage, readTrainingImage } from '../src/data/read-training-image.js';
import { encodePng } from '@perfusion/encoders';
import { jpegBytes, paint, pixel, solid, tempFolder, withExifOrientation, writeFile } from './data-fixtures.js';

/** Left half red, right half blue, top rows darker: every orientation moves these somewhere else. */
const quadrants = paint(32, 16, (x, y) => (x < 16 ? [y < 8 ? 200 : 100, 0, 0] : [0, 0, y < 8 ? 200 : 100]));

function meanError(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function maxError(a: Uint8Array, b: Uint8Array): number {
  return a.reduce((largest, v, i) => Math.max(largest, Math.abs(v - b[i]!)), 0);
}

describe('readTrainingImage', () => {
  it('reads a PNG exactly', async () => {
    const dir = tempFolder();
    const file = writeFile(dir, 'q.png', quadrants);
    expect(await readTrainingImage(file)).toEqual(quadrants);
  });

  it('reads a JPEG close to the colours it was made from, and recognises formats by content', async () => {
    const dir = tempFolder();
    const smooth = paint(48, 40, (x, y) => [x * 5, y * 6, 255 - x * 4]);
    const file = writeFile(dir, 'smooth.jpg', jpegBytes(smooth, 95));
    const image = await readTrainingImage(file);
    expect([image.width, image.height]).toEqual([48, 40]);
    // Quality 95 on a smooth ramp, measured with jpeg-js 0.4.4: mean error 0.61 levels, largest 3.
    expect(meanError(image.data, smooth.data)).toBeLessThan(1.5);
    expect(maxError(image.data, smooth.data)).toBeLessThanOrEqual(4);
    // A PNG saved as .jpg and a JPEG saved as .png are still read.
    expect(await readTrainingImage(writeFile(dir, 'really-png.jpg', encodePng(quadrants)))).toEqual(quadrants);
    expect(await readTrainingImage(writeFile(dir, 'really-jpeg.png', jpegBytes(smooth, 95)))).toEqual(image);
  });

  it('turns a JPEG upright by its EXIF orientation (big- and little-endian TIFF)', () => {
    const plain = decodeTrainingImage(jpegBytes(quadrants), 'plain');
    const cw = decodeTrainingImage(withExifOrientation(jpegBytes(quadrants), 6, 'MM'), 'cw');
    expect([cw.width, cw.height]).toEqual([16, 32]);
    expect(cw).toEqual(applyExifOrientation(plain, 6));
    // Rotated clockwise: the stored left (red) half is now on top, its darker bottom rows on the left.
    expect(pixel(cw, 2, 2)[0]).toBeGreaterThan(90);
    expect(pixel(cw, 2, 2)[0]).toBeLessThan(110);
    expect(pixel(cw, 13, 2)[0]).toBeGreaterThan(190);
    expect(pixel(cw, 8, 28)[2]).toBeGreaterThan(90);
    const half = decodeTrainingImage(withExifOrientation(jpegBytes(quadrants), 3, 'II'), 'half');
    expect(half).toEqual(applyExifOrientation(plain, 3));
  });

  it('explains unreadable files: missing, empty, not an image, truncated PNG, truncated JPEG', async () => {
    const dir = tempFolder();
    const png = encodePng(quadrants);
    const jpg = jpegBytes(quadrants);
    const cases: [string, Uint8Array | undefined, RegExp][] = [
      ['missing.png', undefined, /the file does not exist/],
      ['empty.png', new Uint8Array(0), /neither PNG nor JPEG: it starts with nothing \(empty file\)/],
      ['text.jpg', new TextEncoder().encode('GIF89a...'), /neither PNG nor JPEG: it starts with bytes 47 49 46 38/],
      ['cut.png', png.subarray(0, Math.floor(png.length / 2)), /a damaged or truncated PNG; the decoder says: /],
      ['header-only.png', png.subarray(0, 20), /a damaged or truncated PNG; the decoder says: /],
      ['cut.jpg', jpg.subarray(0, Math.floor(jpg.length / 2)), /a damaged, truncated or unsupported JPEG; the decoder says: /],
      ['no-end.jpg', jpg.subarray(0, jpg.length - 2), /a damaged, truncated or unsupported JPEG; the decoder says: /],
    ];
    for (const [name, bytes, detail] of cases) {
      const file = path.join(dir, name);
      if (bytes !== undefined) writeFile(dir, name, bytes);
      const error = await readTrainingImage(file).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(UnreadableImageError);
      expect(error, name).toMatchObject({ name: 'UnreadableImageError', file });
      expect((error as Error).message, name).toMatch(detail);
      expect((error as Error).message, name).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read this image \\(.*\\); re-export or re-download it, or remove it from the training folder\\.$`, 's'));
    }
  });

  it('refuses images over the megapixel limit before decoding them', () => {
    const big = solid(100, 50, [1, 2, 3]);
    for (const [label, bytes] of [['PNG', encodePng(big)], ['JPEG', jpegBytes(big)]] as const) {
      const error = (() => {
        try {
          return decodeTrainingImage(bytes, label, { maxMegapixels: 0.004 });
        } catch (e) {
          return e;
        }
      })();
      expect(error, label).toBeInstanceOf(ImageTooLargeError);
      expect(error, label).toMatchObject({ file: label, width: 100, height: 50, maxMegapixels: 0.004 });
      expect((error as Error).message).toContain(`${label}: the image is 100 × 50 (0.005 MP), more than the limit of 0.004 MP; downscale it first`);
      expect(decodeTrainingImage(bytes, label, { maxMegapixels: 0.005 }).width).toBe(100);
    }
    expect(() => decodeTrainingImage(encodePng(big), 'x', { maxMegapixels: 0 })).toThrow(TrainingDataOptionError);
  });
});

describe('EXIF orientation', () => {
  // 3 × 2 image with pixel values 1..6 (red channel), the other channels 0:
  //   1 2 3
  //   4 5 6
  const stored = paint(3, 2, (x, y) => [1 + x + 3 * y, 0, 0]);
  const reds = (image: { width: number; height: number; data: Uint8Array }): number[][] =>
    Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3]!));

  it('maps every orientation as PIL’s exif_transpose does (worked out by hand)', () => {
    const expected: Record<number, number[][]> = {
      1: [[1, 2, 3], [4, 5, 6]],
      2: [[3, 2, 1], [6, 5, 4]], // mirror
      3: [[6, 5, 4], [3, 2, 1]], // 180°
      4: [[4, 5, 6], [1, 2, 3]], // upside down
      5: [[1, 4], [2, 5], [3, 6]], // transpose
      6: [[4, 1], [5, 2], [6, 3]], // 90° clockwise
      7: [[6, 3], [5, 2], [4, 1]], // transverse
      8: [[3, 6], [2, 5], [1, 4]], // 90° counter-clockwise
    };
    for (const [orientation, rows] of Object.entries(expected)) expect(reds(applyExifOrientation(stored, Number(orientation))), orientation).toEqual(rows);
  });

  it('reads the tag and falls back to 1 on anything malformed', () => {
    const app1 = (jpegData: Uint8Array): Uint8Array => jpegData.subarray(2 + 4 + 5, 2 + 4 + 6 + 26); // after "Exif\0", as jpeg-js gives it
    const marked = withExifOrientation(new Uint8Array([0xff, 0xd8]), 8, 'II');
    expect(exifOrientation(app1(marked))).toBe(8);
    expect(exifOrientation(app1(marked).subarray(1))).toBe(8); // without the padding zero
    expect(exifOrientation(undefined)).toBe(1);
    expect(exifOrientation(new Uint8Array([0, 1, 2]))).toBe(1);
    expect(exifOrientation(app1(withExifOrientation(new Uint8Array([0xff, 0xd8]), 9)))).toBe(1);
    expect(exifOrientation(app1(marked).subarray(0, 16))).toBe(1); // IFD cut short
    expect(applyExifOrientation(stored, 1)).toBe(stored);
  });
});
