import { objectCovers } from './render.js';
import { SCENE_SIZE, SIZE_NAMES } from './scene.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';

/*
 * Shapes are told apart by their silhouettes: the object's mask, cropped to its bounding box and
 * resampled to a fixed grid, is compared with the same grid of every shape drawn at every scene size.
 * Position and size drop out, so a clean render matches its own shape cell for cell, and a blurred or
 * distorted one still lands nearest to the right silhouette.
 */

const GRID = 16;

/** The mask (bbox-cropped, row-major, `width` columns) sampled at GRID × GRID evenly spaced points. */
function silhouette(mask: Uint8Array, width: number, height: number): Uint8Array {
  const grid = new Uint8Array(GRID * GRID);
  for (let j = 0; j < GRID; j++) {
    const y = Math.floor(((j + 0.5) * height) / GRID);
    for (let i = 0; i < GRID; i++) grid[j * GRID + i] = mask[y * width + Math.floor(((i + 0.5) * width) / GRID)]!;
  }
  return grid;
}

function drawnSilhouette(shape: ShapeName, size: (typeof SIZE_NAMES)[number]): Uint8Array {
  const object = { shape, size, colour: 'red', position: 'center' } as const;
  const covered: [number, number][] = [];
  for (let y = 0; y < SCENE_SIZE; y++) for (let x = 0; x < SCENE_SIZE; x++) if (objectCovers(object, x, y)) covered.push([x, y]);
  const x0 = Math.min(...covered.map((p) => p[0]));
  const y0 = Math.min(...covered.map((p) => p[1]));
  const width = Math.max(...covered.map((p) => p[0])) + 1 - x0;
  const height = Math.max(...covered.map((p) => p[1])) + 1 - y0;
  const mask = new Uint8Array(width * height);
  for (const [x, y] of covered) mask[(y - y0) * width + (x - x0)] = 1;
  return silhouette(mask, width, height);
}

let templates: { shape: ShapeName; grid: Uint8Array }[] | undefined;

function shapeTemplates(): { shape: ShapeName; grid: Uint8Array }[] {
  templates ??= SHAPE_NAMES.flatMap((shape) => SIZE_NAMES.map((size) => ({ shape, grid: drawnSilhouette(shape, size) })));
  return templates;
}

export interface ShapeGuess {
  readonly shape: ShapeName;
  /** Fraction of silhouette cells that differ from the nearest template: 0 for a clean render. */
  readonly mismatch: number;
}

/** The shape whose silhouette is nearest to the mask's (a bbox-cropped, row-major mask of `width` columns). */
export function classifyShape(mask: Uint8Array, width: number, height: number): ShapeGuess {
  const grid = silhouette(mask, width, height);
  let best: ShapeGuess = { shape: SHAPE_NAMES[0], mismatch: Infinity };
  for (const template of shapeTemplates()) {
    let differing = 0;
    for (let k = 0; k < grid.length; k++) if (grid[k] !== template.grid[k]) differing++;
    const mismatch = differing / grid.length;
    if (mismatch < best.mismatch) best = { shape: template.shape, mismatch };
  }
  return best;
}
