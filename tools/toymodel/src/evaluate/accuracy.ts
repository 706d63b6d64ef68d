import type { SceneScore } from '@perfusion/toyworld';

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
