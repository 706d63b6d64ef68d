import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRgbImage, encodePng, type RgbImage } from '@perfusion/encoders';

/** An image whose pixel (x, y) is `colour(x, y)`. */
function paint(width: number, height: number, colour: (x: number, y: number) => readonly [number, number, number]): RgbImage {
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(colour(x, y), (y * width + x) * 3);
  }
  return image;
}

/**
 * A training folder of `count` synthetic photos (checkerboards of two colours, each shifted, 80×64
 * so that the centre crop matters), the first with a mask `photo-0.mask.png` (a white disc on
 * black). Returns the folder.
 */
export function writeTrainingImages(dir: string, count = 3): string {
  fs.mkdirSync(dir, { recursive: true });
  for (let k = 0; k < count; k++) {
    const image = paint(80, 64, (x, y) => (((x >> 3) + (y >> 3) + k) % 2 === 0 ? [220, 40 + 30 * k, 60] : [30, 200, 90 + 40 * k]));
    fs.writeFileSync(path.join(dir, `photo-${k}.png`), encodePng(image));
  }
  const mask = paint(80, 64, (x, y) => ((x - 40) ** 2 + (y - 32) ** 2 < 24 ** 2 ? [255, 255, 255] : [0, 0, 0]));
  fs.writeFileSync(path.join(dir, 'photo-0.mask.png'), encodePng(mask));
  return dir;
}
