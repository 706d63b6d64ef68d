import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@perfusion/tensor-core';
import { PNG } from 'pngjs';
import { ImageError } from '../errors.js';
import { checkRgbImage, type RgbImage } from './rgb-image.js';

/** PNG colour type 2: truecolour without alpha, 8 bits per channel. */
const RGB = 2;

/** The image as PNG bytes (8-bit RGB, no alpha). */
export function encodePng(image: RgbImage): Uint8Array {
  checkRgbImage(image, 'encodePng');
  const png = new PNG({ width: image.width, height: image.height, colorType: RGB, inputColorType: RGB, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const bytes = PNG.sync.write(png, { colorType: RGB, inputColorType: RGB, inputHasAlpha: false });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * An RGB image from PNG bytes of any PNG kind (grey, grey + alpha, palette, RGB, RGBA; 1 to 16
 * bits, interlaced or not). Grey becomes equal R = G = B; 16-bit samples are scaled to 8 bits;
 * alpha is dropped without blending, as PIL's `Image.convert('RGB')` does (what diffusers'
 * training scripts use to load images).
 * @throws ImageError naming `source` when the bytes are not a readable PNG.
 */
export function decodePng(bytes: Uint8Array, source = 'PNG data'): RgbImage {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    throw new ImageError(`${source} is not a readable PNG (${(cause as Error).message}).`, { cause });
  }
  const { width, height } = png;
  const rgba = png.data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < data.length; p += 3, q += 4) {
    data[p] = rgba[q]!;
    data[p + 1] = rgba[q + 1]!;
    data[p + 2] = rgba[q + 2]!;
  }
  return { width, height, data };
}

/**
 * Writes `image` as a PNG file atomically: a temporary file in the same folder, flushed, then
 * renamed over `file`, so a crash never leaves a half-written image. Creates the folder.
 */
export async function writePng(file: string, image: RgbImage): Promise<void> {
  const bytes = encodePng(image);
  const target = path.resolve(file);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  try {
    await writeFileAtomic(target, bytes);
  } catch (error) {
    throw new ImageError(`Cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads a PNG file as an RGB image (see {@link decodePng}). */
export async function readPng(file: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ImageError(`Cannot read ${path.resolve(file)}: ${code === 'ENOENT' ? 'the file does not exist' : (cause as Error).message}.`, { cause });
  }
  return decodePng(bytes, path.resolve(file));
}
