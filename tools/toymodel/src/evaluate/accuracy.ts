import { SHAPE_NAMES, SIZE_NAMES, type Scene, type SceneScore } from '@perfusion/toyworld';

/**
 * Share of samples (background, count, exact) or of expected objects (colour, shape, size, position)
 * the model got right. An object's attributes count only in a sample with the right number of
 * objects: in a picture with stray blobs, pairing each expected object with its best-agreeing blob
 * would otherwise find matches by chance.
 */
export interface AttributeAccuracy {
  readonly samples: number;
  readonly background: number;
  readonly count: number;
  readonly colour: number;
  readonly shape: number;
  readonly size: number;
  readonly position: number;
  /** Every attribute of every object, the background and the count right. */
  readonly exact: number;
}

/** Accuracies over a set of scored samples. */
export function accuracyOf(scores: readonly SceneScore[]): AttributeAccuracy {
  const objects = scores.flatMap((s) => s.objects.map((o) => (s.count ? o : { ...o, colour: false, shape: false, size: false, position: false })));
  const share = <T>(items: readonly T[], ok: (item: T) => boolean): number => (items.length === 0 ? 0 : items.filter(ok).length / items.length);
  return {
    samples: scores.length,
    background: share(scores, (s) => s.background),
    count: share(scores, (s) => s.count),
    colour: share(objects, (o) => o.colour),
    shape: share(objects, (o) => o.shape),
    size: share(objects, (o) => o.size),
    position: share(objects, (o) => o.position),
    exact: share(scores, (s) => s.exact),
  };
}

/** Whether expected object `k` of a scored picture counts as the right shape: the picture has the right number of objects and that one the right shape, as `accuracyOf` counts it. */
export const shapeRight = (score: SceneScore, k = 0): boolean => score.count && score.objects[k]?.shape === true;

/** How often one kind of object (a size and a shape, "large star") came out with the right shape. */
export interface ShapeTally {
  readonly kind: string;
  readonly right: number;
  readonly total: number;
}

/**
 * Shape accuracy per size and shape over every expected object, in a fixed order (sizes, then shapes
 * as the world lists them). The mean hides which shapes the model cannot draw yet; this shows it.
 * Objects in a picture with the wrong count score wrong, as in `accuracyOf`.
 */
export function shapeTallies(scenes: readonly Scene[], scores: readonly SceneScore[]): ShapeTally[] {
  if (scenes.length !== scores.length) throw new RangeError(`shapeTallies: ${scenes.length} scenes but ${scores.length} scores; give one score per scene.`);
  const tallies = new Map<string, { right: number; total: number }>();
  for (const size of SIZE_NAMES) for (const shape of SHAPE_NAMES) tallies.set(`${size} ${shape}`, { right: 0, total: 0 });
  scenes.forEach((scene, i) => {
    const score = scores[i]!;
    scene.objects.forEach((object, k) => {
      const tally = tallies.get(`${object.size} ${object.shape}`)!;
      tally.total++;
      if (shapeRight(score, k)) tally.right++;
    });
  });
  return [...tallies].filter(([, t]) => t.total > 0).map(([kind, t]) => ({ kind, ...t }));
}

/** Tallies as one line each: `large star 3/16`. */
export function formatShapeTallies(tallies: readonly ShapeTally[]): string {
  return tallies.map((t) => `${t.kind} ${t.right}/${t.total}`).join('\n');
}
