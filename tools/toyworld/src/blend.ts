import type { RgbImage } from '@perfusion/encoders';
import { forEachComponentPixel, type Component } from './components.js';

/** How far (RGB distance) a colour may lie from the line between two colours and still count as their blend. */
export const BLEND_TOLERANCE = 40;

/** The mean RGB of the pixels of `parts`. */
export function meanColourOf(image: RgbImage, parts: readonly Component[]): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (const part of parts) {
    forEachComponentPixel(part, (x, y) => {
      for (let c = 0; c < 3; c++) sum[c]! += image.data[3 * (y * image.width + x) + c]!;
      count++;
    });
  }
  return sum.map((v) => v / Math.max(1, count));
}

/**
 * Where `rgb` lies between `background` (0) and `colour` (1) when it is their blend (within
 * BLEND_TOLERANCE of the segment joining them); undefined when it is not. A soft edge between an
 * object and the background is such a blend, whatever palette colour it happens to be nearest.
 */
export function blendPosition(rgb: ArrayLike<number>, colour: readonly number[], background: readonly number[]): number | undefined {
  const direction = colour.map((v, c) => v - background[c]!);
  const length2 = direction.reduce((a, d) => a + d * d, 0);
  const offset = [0, 1, 2].map((c) => rgb[c]! - background[c]!);
  const t = Math.min(1, Math.max(0, offset.reduce((a, o, c) => a + o * direction[c]!, 0) / Math.max(1, length2)));
  const distance2 = offset.reduce((a, o, c) => a + (o - t * direction[c]!) ** 2, 0);
  return distance2 <= BLEND_TOLERANCE ** 2 ? t : undefined;
}
