/** Synthetic training images for the data tests: PNG and JPEG bytes written to throwaway folders. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRgbImage, encodePng, type RgbImage } from '@perfusion/encoders';
import jpeg from 'jpeg-js';
import { onTestFinished } from 'vitest';

/** A fresh folder removed when the test ends. */
export function tempFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-data-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An image whose pixel (x, y) is `colour(x, y)`. */
export function paint(width: number, height: number, colour: (x: number, y: number) => readonly [number, number, number]): RgbImage {
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(colour(x, y), (y * width + x) * 3);
  }
  return image;
}

/** An image of one colour. */
export function solid(width: number, height: number, colour: readonly [number, number, number]): RgbImage {
  return paint(width, height, () => colour);
}

/** Baseline JPEG bytes of `image` (jpeg-js, 4:2:0 chroma) at `quality`. */
export function jpegBytes(image: RgbImage, quality = 95): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width: image.width, height: image.height, data: rgba }, quality).data);
}

/**
 * `jpeg` with an APP1 Exif segment holding only the Orientation tag inserted after SOI, as cameras
 * write it: "Exif\0\0", a TIFF header in `byteOrder`, one IFD with tag 0x0112 (SHORT, count 1).
 */
export function withExifOrientation(jpegData: Uint8Array, orientation: number, byteOrder: 'II' | 'MM' = 'MM'): Uint8Array {
  const tiff = new Uint8Array(26);
  const view = new DataView(tiff.buffer);
  const little = byteOrder === 'II';
  tiff.set([byteOrder.charCodeAt(0), byteOrder.charCodeAt(1)], 0);
  view.setUint16(2, 42, little);
  view.setUint32(4, 8, little); // IFD0 right after the header
  view.setUint16(8, 1, little); // one entry
  view.setUint16(10, 0x0112, little);
  view.setUint16(12, 3, little); // SHORT
  view.setUint32(14, 1, little);
  view.setUint16(18, orientation, little);
  view.setUint32(22, 0, little); // no next IFD
  const payload = new Uint8Array([...Buffer.from('Exif\0\0', 'latin1'), ...tiff]);
  const segment = new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
  return new Uint8Array([...jpegData.subarray(0, 2), ...segment, ...jpegData.subarray(2)]);
}

/** Writes `bytes` (or `image` as PNG) to `folder/name` and returns the path. */
export function writeFile(folder: string, name: string, content: Uint8Array | RgbImage): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, content instanceof Uint8Array ? content : encodePng(content));
  return file;
}

/** Pixel (x, y) of an RGB image. */
export function pixel(image: RgbImage, x: number, y: number): number[] {
  const at = (y * image.width + x) * 3;
  return [...image.data.subarray(at, at + 3)];
}
