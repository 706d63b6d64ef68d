import { Tensor, type Rng } from '@perfusion/tensor-core';
import { COLOURS, objectBox, objectCovers, randomScene, renderScene, SCENE_SIZE, type ColourName, type Scene, type SceneObject } from '@perfusion/toyworld';

/** Scenes and their pixels as the VAE takes them: NCHW float32 in [−1, 1]. */
export interface ImageBatch {
  readonly scenes: readonly Scene[];
  readonly pixels: Tensor;
}

/**
 * `count` scenes rendered to a [count, 3, 64, 64] tensor in [−1, 1], each drawn by `draw` from its
 * own fork of `rng` (default: any random scene of one or two objects).
 */
export function randomImageBatch(rng: Rng, count: number, draw: (rng: Rng) => Scene = (r) => randomScene(r)): ImageBatch {
  const scenes = Array.from({ length: count }, (_, i) => draw(rng.fork(`scene-${i}`)));
  return { scenes, pixels: scenesToPixels(scenes) };
}

/** An 8-bit colour value in the range the VAE takes: 2·(v / 255) − 1. */
export const toModelRange = (value: number): number => (value / 255) * 2 - 1;

/** Renders scenes into one NCHW tensor with values in the VAE's range ({@link toModelRange}). */
export function scenesToPixels(scenes: readonly Scene[]): Tensor {
  const plane = SCENE_SIZE * SCENE_SIZE;
  const data = new Float32Array(scenes.length * 3 * plane);
  scenes.forEach((scene, n) => {
    const rgb = renderScene(scene).data;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) data[(n * 3 + c) * plane + p] = toModelRange(rgb[p * 3 + c]!);
    }
  });
  return new Tensor('float32', data, [scenes.length, 3, SCENE_SIZE, SCENE_SIZE]);
}

/** A float32 tensor of standard normal values. */
export function normalTensor(rng: Rng, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor('float32', rng.fillNormal(new Float32Array(size)), shape);
}

/**
 * Per-pixel loss weights [count, 1, 64, 64]: `objectWeight` on pixels an object covers, 1 on the
 * background, so a 12-pixel star is not drowned by the background it sits on.
 */
export function objectPixelWeights(scenes: readonly Scene[], objectWeight: number): Tensor {
  return maskWeights(scenes.map(objectPixels), objectWeight);
}

/**
 * Per-pixel loss weights [count, 1, 64, 64]: `objectWeight` on every pixel of each object's box
 * widened by `margin` pixels, 1 elsewhere. Unlike {@link objectPixelWeights} the background inside
 * and around an outline (a star's notches, a ring's hole, the corners beside a diamond) weighs as
 * much as the object: with only object pixels weighted up, painting the object's colour over a
 * notch cost an eighth of leaving out a pixel of the object, and the decoder learnt to fill them —
 * small stars came back as pentagons, crosses as rounded diamonds, rings with their holes closing.
 * A small object's box weighs `smallBoxFactor` times that, and with a `contrast` factor each box
 * that many times more (where boxes meet, the larger weight wins).
 */
export function objectBoxWeights(scenes: readonly Scene[], objectWeight: number, margin: number, smallBoxFactor = 1, contrast?: ContrastFactor): Tensor {
  return maskWeights(scenes.map((scene) => objectBoxPixels(scene, margin, smallBoxFactor, contrast)), objectWeight);
}

/** RGB distance (0–255 units) at and above which an object's colour stands out from its background in full: most pairs of the palette. */
export const CONTRAST_REFERENCE = 200;
/** The most a low-contrast object's box is weighted up by {@link contrastFactor} (or a latent-space one). */
export const MAX_CONTRAST_FACTOR = 4;

/** How many times an object of `colour` on `background` weighs more in a loss because the two are hard to tell apart: 1 to {@link MAX_CONTRAST_FACTOR}. */
export type ContrastFactor = (colour: ColourName, background: ColourName) => number;

/**
 * How much more an object's box weighs because its colour lies close to the background's:
 * (CONTRAST_REFERENCE / distance)², between 1 and MAX_CONTRAST_FACTOR. Why: a pixel drawn in the
 * wrong one of two close colours costs their distance plus its square in the reconstruction loss
 * (and in the latent, a low-contrast object differs little from its background), so a network learns
 * the outline of a gray star on purple (108 apart) or an orange cross on red (117) several times more
 * weakly than a white star on blue (334); such outlines were among what it still drew wrong.
 */
export function contrastFactor(colour: ColourName, background: ColourName): number {
  const [a, b] = [COLOURS[colour], COLOURS[background]];
  return inverseSquareFactor(CONTRAST_REFERENCE, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
}

/** (reference / distance)², between 1 and {@link MAX_CONTRAST_FACTOR}: the weight of a pair of colours `distance` apart, in whatever units `reference` is in. */
export function inverseSquareFactor(reference: number, distance: number): number {
  return Math.min(MAX_CONTRAST_FACTOR, Math.max(1, (reference / distance) ** 2));
}

/** How many times an object's region outweighs a large, high-contrast one's: `smallFactor` if small, times its `contrast` factor if given. */
function objectMultiple(object: SceneObject, background: ColourName, smallFactor: number, contrast: ContrastFactor | undefined): number {
  return (object.size === 'small' ? smallFactor : 1) * (contrast ? contrast(object.colour, background) : 1);
}

/** Per-pixel weights [count, 1, 64, 64] from one row-major 64×64 mask of multiples per scene: `weight` × the multiple where it is set, 1 elsewhere. */
function maskWeights(masks: readonly (Uint8Array | Float32Array)[], weight: number): Tensor {
  const plane = SCENE_SIZE * SCENE_SIZE;
  const data = new Float32Array(masks.length * plane).fill(1);
  masks.forEach((mask, n) =>
    mask.forEach((multiple, p) => {
      if (multiple > 0) data[n * plane + p] = weight * multiple;
    }),
  );
  return new Tensor('float32', data, [masks.length, 1, SCENE_SIZE, SCENE_SIZE]);
}

/**
 * The pixels of the scene's object boxes, each widened by `margin` and clipped to the picture, as a
 * row-major 64×64 mask: 1 in a large object's box, `smallBoxFactor` in a small one's, each times its
 * `contrast` factor if given.
 */
function objectBoxPixels(scene: Scene, margin: number, smallBoxFactor: number, contrast: ContrastFactor | undefined): Float32Array {
  // Float, not bytes: a factor such as 1.5 must survive.
  const mask = new Float32Array(SCENE_SIZE * SCENE_SIZE);
  for (const object of scene.objects) {
    const box = objectBox(object.size, object.position);
    const multiple = objectMultiple(object, scene.background, smallBoxFactor, contrast);
    for (let y = Math.max(0, box.y0 - margin); y < Math.min(SCENE_SIZE, box.y1 + margin); y++) {
      for (let x = Math.max(0, box.x0 - margin); x < Math.min(SCENE_SIZE, box.x1 + margin); x++) {
        mask[y * SCENE_SIZE + x] = Math.max(mask[y * SCENE_SIZE + x]!, multiple);
      }
    }
  }
  return mask;
}

/** The scene's object pixels as a row-major 64×64 mask (1 where an object covers the pixel). */
function objectPixels(scene: Scene): Uint8Array {
  const mask = new Uint8Array(SCENE_SIZE * SCENE_SIZE);
  for (let y = 0; y < SCENE_SIZE; y++) {
    for (let x = 0; x < SCENE_SIZE; x++) if (scene.objects.some((o) => objectCovers(o, x, y))) mask[y * SCENE_SIZE + x] = 1;
  }
  return mask;
}

/**
 * Per-latent-cell loss weights [count, 1, side, side] for a latent of `side`² cells over the
 * 64×64 picture: `objectWeight` on every cell whose pixels an object touches and on the ring of
 * cells around it (an outline is decided there too), 1 elsewhere. A scene's flat background fills
 * most of a latent and is learnt early; weighting the object's cells keeps the loss about shapes.
 * A small object's cells weigh `smallObjectFactor` times that, and with a `contrast` factor each
 * object's that many times more (where objects' cells meet, the larger weight wins).
 */
export function objectCellWeights(scenes: readonly Scene[], side: number, objectWeight: number, smallObjectFactor = 1, contrast?: ContrastFactor): Tensor {
  if (!Number.isInteger(SCENE_SIZE / side)) throw new RangeError(`objectCellWeights: a latent side of ${side} does not divide the ${SCENE_SIZE}-pixel picture; give a divisor of ${SCENE_SIZE}.`);
  const pixelsPerCell = SCENE_SIZE / side;
  const plane = side * side;
  const data = new Float32Array(scenes.length * plane).fill(1);
  scenes.forEach((scene, n) => {
    for (const object of scene.objects) {
      const weight = objectWeight * objectMultiple(object, scene.background, smallObjectFactor, contrast);
      const touched = new Uint8Array(plane);
      // An object covers nothing outside its box (as renderScene draws it), so only the box is tested.
      const box = objectBox(object.size, object.position);
      for (let y = box.y0; y < box.y1; y++) {
        for (let x = box.x0; x < box.x1; x++) if (objectCovers(object, x, y)) touched[Math.floor(y / pixelsPerCell) * side + Math.floor(x / pixelsPerCell)] = 1;
      }
      for (let j = 0; j < side; j++) {
        for (let i = 0; i < side; i++) {
          let near = false;
          for (let y = Math.max(0, j - 1); y <= Math.min(side - 1, j + 1); y++) {
            for (let x = Math.max(0, i - 1); x <= Math.min(side - 1, i + 1); x++) near ||= touched[y * side + x] === 1;
          }
          const k = n * plane + j * side + i;
          if (near) data[k] = Math.max(data[k]!, weight);
        }
      }
    }
  });
  return new Tensor('float32', data, [scenes.length, 1, side, side]);
}
