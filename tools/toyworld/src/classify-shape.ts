import { objectCovers } from './render.js';
import { SCENE_SIZE, SIZE_NAMES } from './scene.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';
import { gaussianBlur } from './blur.js';

/*
 * Shapes are told apart by their silhouettes. An object's silhouette is a map of how much of each
 * pixel is object (1) rather than background (0): exactly 0 or 1 on a clean render, fractional along
 * the soft edges of a decoded or generated picture. It is cropped to the box where it is at least
 * half object, resampled to a fixed grid, and compared with the same grid of every shape drawn at
 * every scene size, both as rendered and softened by a few amounts of blur. Position and size drop
 * out; a clean render matches its own unblurred shape exactly, and a soft one is compared with
 * shapes as soft as itself: a small star whose 1-pixel tips have faded to half-tones matches a
 * faded star, not the crisp circle that a hard threshold would have left of it.
 */

const GRID = 16;

/** Blurs (Gaussian σ, pixels) the reference shapes are also drawn with: up to what a 4-pixel latent cell's decoder leaves. */
export const SILHOUETTE_BLURS: readonly number[] = [0, 0.5, 0.8, 1.1, 1.4];

/** The share map (row-major, `width` × `height`, values in [0, 1]) bilinearly sampled on a GRID × GRID grid over its half-share box. */
function silhouette(share: ArrayLike<number>, width: number, height: number): Float32Array {
  let [x0, y0, x1, y1] = [width, height, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (share[y * width + x]! < 0.5) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
  }
  if (x1 <= x0) [x0, y0, x1, y1] = [0, 0, width, height];
  const at = (x: number, y: number): number => share[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  const grid = new Float32Array(GRID * GRID);
  for (let j = 0; j < GRID; j++) {
    // Continuous coordinates with pixel k's centre at k + 0.5, so a box edge falls on a pixel edge.
    const fy = y0 + ((j + 0.5) * (y1 - y0)) / GRID - 0.5;
    const yi = Math.floor(fy);
    const ty = fy - yi;
    for (let i = 0; i < GRID; i++) {
      const fx = x0 + ((i + 0.5) * (x1 - x0)) / GRID - 0.5;
      const xi = Math.floor(fx);
      const tx = fx - xi;
      const top = at(xi, yi) * (1 - tx) + at(xi + 1, yi) * tx;
      const bottom = at(xi, yi + 1) * (1 - tx) + at(xi + 1, yi + 1) * tx;
      grid[j * GRID + i] = top * (1 - ty) + bottom * ty;
    }
  }
  return grid;
}

/** The silhouette of `shape` drawn at `size` in the scene's centre, blurred by `sigma` pixels. */
function drawnSilhouette(shape: ShapeName, size: (typeof SIZE_NAMES)[number], sigma: number): Float32Array {
  const object = { shape, size, colour: 'red', position: 'center' } as const;
  const share = new Float32Array(SCENE_SIZE * SCENE_SIZE);
  for (let y = 0; y < SCENE_SIZE; y++) for (let x = 0; x < SCENE_SIZE; x++) share[y * SCENE_SIZE + x] = objectCovers(object, x, y) ? 1 : 0;
  return silhouette(sigma > 0 ? gaussianBlur(share, SCENE_SIZE, SCENE_SIZE, sigma) : share, SCENE_SIZE, SCENE_SIZE);
}

let templates: { shape: ShapeName; grid: Float32Array }[] | undefined;

function shapeTemplates(): { shape: ShapeName; grid: Float32Array }[] {
  templates ??= SHAPE_NAMES.flatMap((shape) => SIZE_NAMES.flatMap((size) => SILHOUETTE_BLURS.map((sigma) => ({ shape, grid: drawnSilhouette(shape, size, sigma) }))));
  return templates;
}

export interface ShapeGuess {
  readonly shape: ShapeName;
  /** Mean absolute difference between the silhouette and the nearest reference's, cell by cell: 0 for a clean render. */
  readonly mismatch: number;
}

/**
 * The shape whose silhouette is nearest to the object's. `share` is row-major with `width` columns:
 * for each pixel how much of it is the object, in [0, 1] (a 0/1 mask of a clean render will do);
 * the object is where it is at least one half.
 */
export function classifyShape(share: ArrayLike<number>, width: number, height: number): ShapeGuess {
  const grid = silhouette(share, width, height);
  let best: ShapeGuess = { shape: SHAPE_NAMES[0], mismatch: Infinity };
  for (const template of shapeTemplates()) {
    let difference = 0;
    for (let k = 0; k < grid.length; k++) difference += Math.abs(grid[k]! - template.grid[k]!);
    const mismatch = difference / grid.length;
    if (mismatch < best.mismatch) best = { shape: template.shape, mismatch };
  }
  return best;
}
