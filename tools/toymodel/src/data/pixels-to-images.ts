import { createRgbImage, type RgbImage } from '@perfusion/encoders';
import type { Tensor } from '@perfusion/tensor-core';

/** NCHW pixels in [−1, 1] back to RGB images (clamped, rounded), one per batch element. */
export function pixelsToImages(pixels: Tensor): RgbImage[] {
  const [batch, , height, width] = pixels.shape as [number, number, number, number];
  const data = pixels.data as Float32Array;
  const plane = height * width;
  return Array.from({ length: batch }, (_, n) => {
    const image = createRgbImage(width, height);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) image.data[p * 3 + c] = Math.round(Math.min(1, Math.max(0, (data[(n * 3 + c) * plane + p]! + 1) / 2)) * 255);
    }
    return image;
  });
}
