import type { ImageAnalysis } from './analyse.js';
import type { Scene } from './scene.js';

/** Whether the image shows one expected object's attributes (all false when no found object matches it). */
export interface ObjectScore {
  readonly found: boolean;
  readonly shape: boolean;
  readonly colour: boolean;
  readonly size: boolean;
  readonly position: boolean;
}

export interface SceneScore {
  readonly background: boolean;
  /** The image has exactly as many objects as the scene. */
  readonly count: boolean;
  /** One entry per expected object, in the scene's order. */
  readonly objects: readonly ObjectScore[];
  /** Every check above passed. */
  readonly exact: boolean;
}

const MISSING: ObjectScore = { found: false, shape: false, colour: false, size: false, position: false };

/**
 * Scores an analysis against the scene it should show. Each expected object is paired with the found
 * object that agrees with it on the most attributes (position first on ties), each found object used once.
 */
export function scoreAnalysis(analysis: Omit<ImageAnalysis, 'score'>, expected: Scene): SceneScore {
  const unused = [...analysis.objects];
  const objects = expected.objects.map((want): ObjectScore => {
    let bestIndex = -1;
    let bestAgreement = -1;
    unused.forEach((got, i) => {
      const agreement =
        (got.position === want.position ? 1.5 : 0) + Number(got.shape === want.shape) + Number(got.colour === want.colour) + Number(got.size === want.size);
      if (agreement > bestAgreement) {
        bestAgreement = agreement;
        bestIndex = i;
      }
    });
    if (bestIndex < 0) return MISSING;
    const [got] = unused.splice(bestIndex, 1);
    return { found: true, shape: got!.shape === want.shape, colour: got!.colour === want.colour, size: got!.size === want.size, position: got!.position === want.position };
  });
  const background = analysis.background === expected.background;
  const count = analysis.objects.length === expected.objects.length;
  const exact = background && count && objects.every((o) => o.found && o.shape && o.colour && o.size && o.position);
  return { background, count, objects, exact };
}
