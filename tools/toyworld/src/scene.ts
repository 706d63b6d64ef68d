import { COLOURS, type ColourName } from './palette.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';
import { SceneError } from './errors.js';

/** Scenes are square images of this many pixels a side. */
export const SCENE_SIZE = 64;

export const SIZE_NAMES = ['small', 'large'] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

/** Side of an object's box in pixels. Even, so that boxes on integer centres cover whole pixels. */
export const SIZE_PIXELS: Record<SizeName, number> = { small: 12, large: 24 };

export const POSITION_NAMES = ['left', 'right', 'top', 'bottom', 'center'] as const;
export type PositionName = (typeof POSITION_NAMES)[number];

/** Box centre of each position, in pixels from the top-left corner. */
export const POSITION_CENTRES: Record<PositionName, readonly [number, number]> = {
  left: [15, 32],
  right: [49, 32],
  top: [32, 15],
  bottom: [32, 49],
  center: [32, 32],
};

/** Boxes of two objects keep at least this many background pixels between them, so they never touch. */
export const MIN_GAP = 2;

/** Two-colour fills: the toy model's training world puts them on some objects, and the example concept is one. */
export const PATTERN_KINDS = ['checkered', 'striped'] as const;
export type PatternKind = (typeof PATTERN_KINDS)[number];

/** Side of a check, and width of a stripe, in pixels: one latent cell of a 4× autoencoder. */
export const PATTERN_CELL = 4;

/**
 * A two-colour fill: `checkered` alternates the object's colour and `colour` in `cell`-pixel
 * squares, `striped` in `cell`-pixel horizontal bands. Cells are fixed to the image grid, not to
 * the object.
 */
export interface ObjectPattern {
  readonly kind: PatternKind;
  readonly colour: ColourName;
  /** Side of a check, width of a band; default {@link PATTERN_CELL}. */
  readonly cell?: number;
}

export interface SceneObject {
  readonly shape: ShapeName;
  readonly colour: ColourName;
  readonly size: SizeName;
  readonly position: PositionName;
  /** Absent: the object is one flat colour. */
  readonly pattern?: ObjectPattern;
}

export interface Scene {
  readonly background: ColourName;
  readonly objects: readonly SceneObject[];
}

/** An object's pixel box: columns x0 ≤ x < x1, rows y0 ≤ y < y1. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export function objectBox(size: SizeName, position: PositionName): Box {
  const half = SIZE_PIXELS[size] / 2;
  const [cx, cy] = POSITION_CENTRES[position];
  return { x0: cx - half, y0: cy - half, x1: cx + half, y1: cy + half };
}

/** Whether two boxes are at least {@link MIN_GAP} pixels apart along some axis. */
export function boxesApart(a: Box, b: Box): boolean {
  return a.x1 + MIN_GAP <= b.x0 || b.x1 + MIN_GAP <= a.x0 || a.y1 + MIN_GAP <= b.y0 || b.y1 + MIN_GAP <= a.y0;
}

function checkName<T extends string>(value: T, allowed: readonly string[], what: string, where: string): void {
  if (!allowed.includes(value)) throw new SceneError(`${where}: unknown ${what} '${value}'; use one of ${allowed.join(', ')}.`);
}

/** Throws {@link SceneError} unless `scene` has one or two valid objects, apart from each other, none the background's colour. */
export function validateScene(scene: Scene): void {
  checkName(scene.background, Object.keys(COLOURS), 'background colour', 'scene');
  if (scene.objects.length < 1 || scene.objects.length > 2) {
    throw new SceneError(`scene: expected 1 or 2 objects, got ${scene.objects.length}.`);
  }
  scene.objects.forEach((object, i) => {
    const where = `scene.objects[${i}]`;
    checkName(object.shape, SHAPE_NAMES, 'shape', where);
    checkName(object.colour, Object.keys(COLOURS), 'colour', where);
    checkName(object.size, SIZE_NAMES, 'size', where);
    checkName(object.position, POSITION_NAMES, 'position', where);
    if (object.pattern !== undefined) {
      checkName(object.pattern.kind, PATTERN_KINDS, 'pattern', where);
      checkName(object.pattern.colour, Object.keys(COLOURS), 'pattern colour', where);
      const cell = object.pattern.cell;
      if (cell !== undefined && (!Number.isSafeInteger(cell) || cell < 1 || cell > SCENE_SIZE)) {
        throw new SceneError(`${where}: pattern cell must be a whole number of pixels from 1 to ${SCENE_SIZE}, got ${cell}.`);
      }
      if (object.pattern.colour === object.colour || object.pattern.colour === scene.background) {
        throw new SceneError(`${where}: the pattern colour '${object.pattern.colour}' must differ from the object's colour and the background; pick another.`);
      }
    }
    if (object.colour === scene.background) {
      throw new SceneError(`${where}: a ${object.colour} object on a ${scene.background} background would be invisible; pick another colour.`);
    }
  });
  const [a, b] = scene.objects;
  if (a && b && !boxesApart(objectBox(a.size, a.position), objectBox(b.size, b.position))) {
    throw new SceneError(
      `scene: a ${a.size} object ${a.position} and a ${b.size} object ${b.position} would overlap or touch; move or shrink one.`,
    );
  }
}
