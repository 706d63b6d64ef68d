import type { Rng } from '@perfusion/tensor-core';
import { COLOUR_NAMES, type ColourName } from './palette.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';
import { POSITION_NAMES, SIZE_NAMES, boxesApart, objectBox, type PositionName, type Scene, type SceneObject, type SizeName } from './scene.js';
import { SceneError } from './errors.js';

export interface RandomSceneOptions {
  /** How many objects; by default one or two with equal odds. */
  readonly objects?: 1 | 2;
  /** Shapes to draw from; all by default. */
  readonly shapes?: readonly ShapeName[];
  /** Object colours to draw from; all by default. */
  readonly colours?: readonly ColourName[];
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.uniform() * items.length)]!;
}

type Placement = readonly [SizeName, PositionName];

const PLACEMENTS: readonly Placement[] = SIZE_NAMES.flatMap((size) => POSITION_NAMES.map((position) => [size, position] as const));

/** Every ordered pair of placements whose boxes stay apart: two-object scenes draw uniformly from these. */
const APART_PAIRS: readonly (readonly [Placement, Placement])[] = PLACEMENTS.flatMap((a) =>
  PLACEMENTS.filter((b) => a[1] !== b[1] && boxesApart(objectBox(...a), objectBox(...b))).map((b) => [a, b] as const),
);

/** A random scene; the same seed and options give the same scene. Background and object colours always differ. */
export function randomScene(rng: Rng, options: RandomSceneOptions = {}): Scene {
  const shapes = options.shapes ?? SHAPE_NAMES;
  const colours = options.colours ?? COLOUR_NAMES;
  if (shapes.length === 0) throw new SceneError('randomScene: options.shapes is empty; give at least one shape.');
  if (colours.length === 0) throw new SceneError('randomScene: options.colours is empty; give at least one colour.');
  const count = options.objects ?? (rng.uniform() < 0.5 ? 1 : 2);
  const placements: readonly Placement[] = count === 1 ? [pick(rng, PLACEMENTS)] : pick(rng, APART_PAIRS);
  const objects: SceneObject[] = placements.map(([size, position]) => ({ shape: pick(rng, shapes), colour: pick(rng, colours), size, position }));
  const used = new Set<ColourName>(objects.map((o) => o.colour));
  const backgrounds = COLOUR_NAMES.filter((c) => !used.has(c));
  return { background: pick(rng, backgrounds), objects };
}
