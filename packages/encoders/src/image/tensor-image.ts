import { Tensor } from '@perfusion/tensor-core';
import { ImageError } from '../errors.js';
import { checkRgbImage, type RgbImage } from './rgb-image.js';

const f32 = Math.fround;

/** Round half to even, as NumPy's `round` (diffusers' `numpy_to_pil` rounds with it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Image `index` of a `[B, 3, H, W]` float32 tensor in [-1, 1] (a VAE decoder's output) as 8-bit
 * RGB, computed as diffusers does in float32: `clip(x / 2 + 0.5, 0, 1) * 255`, rounded half to even.
 * NaN becomes 0.
 */
export function imageFromTensor(t: Tensor<'float32'>, index = 0): RgbImage {
  if (t.dtype !== 'float32' || t.rank !== 4 || t.shape[1] !== 3) {
    throw new ImageError(`imageFromTensor: expected a float32 [B, 3, H, W] tensor, got ${t.dtype}[${t.shape.join(', ')}].`);
  }
  const [batch, , height, width] = t.shape as [number, number, number, number];
  if (!Number.isInteger(index) || index < 0 || index >= batch) {
    throw new ImageError(`imageFromTensor: index ${index} is outside the batch of ${batch} images.`);
  }
  const plane = height * width;
  const base = index * 3 * plane;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const x = t.data[base + c * plane + p]!;
      const unit = f32(f32(x / 2) + 0.5);
      const clipped = unit > 1 ? 1 : unit >= 0 ? unit : 0; // NaN fails both tests → 0
      data[p * 3 + c] = roundHalfEven(f32(clipped * 255));
    }
  }
  return { width, height, data };
}

/**
 * Images of one size as a `[B, 3, H, W]` float32 tensor in [-1, 1] (a VAE encoder's input),
 * as diffusers' image processor computes it: `2 * (v / 255) - 1` in float32.
 */
export function tensorFromImages(images: readonly RgbImage[]): Tensor<'float32'> {
  if (images.length === 0) throw new ImageError('tensorFromImages: give at least one image.');
  images.forEach((image, i) => checkRgbImage(image, `tensorFromImages(images[${i}])`));
  const { width, height } = images[0]!;
  images.forEach((image, i) => {
    if (image.width !== width || image.height !== height) {
      throw new ImageError(`tensorFromImages: images[${i}] is ${image.width} × ${image.height} but images[0] is ${width} × ${height}; resize them to one size first.`);
    }
  });
  const plane = width * height;
  const data = new Float32Array(images.length * 3 * plane);
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = f32(f32(2 * f32(v / 255)) - 1);
  images.forEach((image, b) => {
    const base = b * 3 * plane;
    for (let p = 0; p < plane; p++) {
      data[base + p] = lut[image.data[p * 3]!]!;
      data[base + plane + p] = lut[image.data[p * 3 + 1]!]!;
      data[base + 2 * plane + p] = lut[image.data[p * 3 + 2]!]!;
    }
  });
  return new Tensor('float32', data, [images.length, 3, height, width]);
}
