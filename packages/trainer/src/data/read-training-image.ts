import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePng, type RgbImage } from '@perfusion/encoders';
import jpeg from 'jpeg-js';
import { ImageTooLargeError, TrainingDataOptionError, UnreadableImageError } from './errors.js';
import { applyExifOrientation, exifOrientation } from './exif-orientation.js';
import { readImageHeader } from './image-header.js';

/** 64 MP admits 8000 × 8000 and the largest camera photos while keeping a decode under about 2 GB. */
export const DEFAULT_MAX_MEGAPIXELS = 64;

/** jpeg-js keeps its coefficients and component planes besides the output: about 20 bytes a pixel at worst (4:4:4). */
const JPEG_BYTES_PER_PIXEL = 24;

export interface ReadImageOptions {
  /** Images with more pixels than this many millions are refused before decoding (default 64). */
  readonly maxMegapixels?: number;
}

/**
 * Reads a PNG or JPEG file as 8-bit RGB (see {@link decodeTrainingImage}).
 * @throws UnreadableImageError when the file cannot be read or decoded.
 * @throws ImageTooLargeError when it has more than `maxMegapixels` million pixels.
 */
export async function readTrainingImage(file: string, options: ReadImageOptions = {}): Promise<RgbImage> {
  const source = path.resolve(file);
  return decodeTrainingImage(await readImageBytes(source), source, options);
}

/** The bytes of an image file; failures become {@link UnreadableImageError}. */
export async function readImageBytes(file: string): Promise<Uint8Array> {
  try {
    return await fs.promises.readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UnreadableImageError(file, code === 'ENOENT' ? 'the file does not exist' : (cause as Error).message, { cause });
  }
}

/**
 * Decodes PNG or JPEG bytes, recognised by their first bytes whatever the file is called, to 8-bit
 * RGB. PNG: every colour type and bit depth; grey becomes R = G = B, 16 bits are scaled to 8, and
 * alpha is dropped without blending, as PIL's `convert('RGB')` in diffusers' training scripts
 * does (flatten transparent images first, or give a mask). JPEG: grey, YCbCr and Adobe CMYK, turned
 * upright by its EXIF orientation. `source` names the bytes in errors.
 * @throws UnreadableImageError when the bytes are not a readable PNG or JPEG.
 * @throws ImageTooLargeError when the image has more than `maxMegapixels` million pixels.
 */
export function decodeTrainingImage(bytes: Uint8Array, source: string, options: ReadImageOptions = {}): RgbImage {
  const maxMegapixels = options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS;
  if (!(maxMegapixels > 0)) throw new TrainingDataOptionError(`maxMegapixels must be a positive number, got ${maxMegapixels}.`);
  const header = readImageHeader(bytes);
  if (header === undefined) {
    const start = [...bytes.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    throw new UnreadableImageError(source, `neither PNG nor JPEG: it starts with ${bytes.length === 0 ? 'nothing (empty file)' : `bytes ${start}`}`);
  }
  const { width, height } = header;
  if (width !== undefined && height !== undefined && width * height > maxMegapixels * 1e6) {
    throw new ImageTooLargeError(source, width, height, maxMegapixels);
  }
  return header.format === 'png' ? decodePngBytes(bytes, source) : decodeJpegBytes(bytes, source, maxMegapixels);
}

function decodePngBytes(bytes: Uint8Array, source: string): RgbImage {
  try {
    return decodePng(bytes, source);
  } catch (cause) {
    throw new UnreadableImageError(source, `a damaged or truncated PNG; the decoder says: ${reason(cause)}`, { cause });
  }
}

function decodeJpegBytes(bytes: Uint8Array, source: string, maxMegapixels: number): RgbImage {
  // jpeg-js returns the APP1 Exif payload too, which its typings leave out.
  let decoded: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // The header check above already refused large frames; these keep jpeg-js itself bounded too.
      maxResolutionInMP: maxMegapixels,
      maxMemoryUsageInMB: Math.ceil(maxMegapixels * JPEG_BYTES_PER_PIXEL) + 64,
    });
  } catch (cause) {
    throw new UnreadableImageError(source, `a damaged, truncated or unsupported JPEG; the decoder says: ${reason(cause)}`, { cause });
  }
  if (decoded.width <= 0 || decoded.height <= 0) throw new UnreadableImageError(source, `a JPEG of ${decoded.width} × ${decoded.height} pixels`);
  const image: RgbImage = { width: decoded.width, height: decoded.height, data: decoded.data };
  return applyExifOrientation(image, exifOrientation(decoded.exifBuffer));
}

function reason(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  // decodePng's message already starts with the file name; keep only what went wrong.
  return message.replace(/^.* is not a readable PNG \((.*)\)\.$/s, '$1');
}
