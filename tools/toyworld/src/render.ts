import { createRgbImage, type RgbImage } from '@perfusion/encoders';
import { COLOURS } from './palette.js';
import { PATTERN_CELL, SCENE_SIZE, SIZE_PIXELS, POSITION_CENTRES, objectBox, validateScene, type ObjectPattern, type Scene, type SceneObject } from './scene.js';
import { insideShape } from './shapes.js';

/** Whether pixel (x, y) of the scene belongs to `object`: the inside-test at the pixel's centre, no antialiasing. */
export function objectCovers(object: SceneObject, x: number, y: number): boolean {
  const half = SIZE_PIXELS[object.size] / 2;
  const [cx, cy] = POSITION_CENTRES[object.position];
  return insideShape(object.shape, (x + 0.5 - cx) / half, (y + 0.5 - cy) / half);
}

/** Draws `scene` as a 64×64 RGB image with exact (aliased) edges, so every attribute can be read back from pixels. */
export function renderScene(scene: Scene): RgbImage {
  validateScene(scene);
  const image = createRgbImage(SCENE_SIZE, SCENE_SIZE);
  const [br, bg, bb] = COLOURS[scene.background];
  for (let i = 0; i < image.data.length; i += 3) {
    image.data[i] = br;
    image.data[i + 1] = bg;
    image.data[i + 2] = bb;
  }
  for (const object of scene.objects) {
    const box = objectBox(object.size, object.position);
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        if (!objectCovers(object, x, y)) continue;
        const [r, g, b] = COLOURS[object.pattern !== undefined && inSecondCell(object.pattern, x, y) ? object.pattern.colour : object.colour];
        const i = (y * SCENE_SIZE + x) * 3;
        image.data[i] = r;
        image.data[i + 1] = g;
        image.data[i + 2] = b;
      }
    }
  }
  return image;
}

/** Whether pixel (x, y) takes the pattern's colour rather than the object's. */
export function inSecondCell(pattern: ObjectPattern, x: number, y: number): boolean {
  const cell = pattern.cell ?? PATTERN_CELL;
  const row = Math.floor(y / cell);
  return pattern.kind === 'striped' ? row % 2 === 1 : (Math.floor(x / cell) + row) % 2 === 1;
}
