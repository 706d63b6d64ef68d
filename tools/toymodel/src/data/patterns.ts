import type { Rng } from '@perfusion/tensor-core';
import { COLOUR_NAMES, PATTERN_KINDS, type ColourName, type ObjectPattern, type Scene, type SceneObject } from '@perfusion/toyworld';
import { EXAMPLE_CONCEPT } from '../concept/example-concept.js';

/**
 * Share of training objects that carry a pattern once patterns are in the curriculum
 * (`patternsFrom` of the stage settings). A concept is a rank-one edit of cross-attention: it can
 * steer the UNet towards what the UNet can already draw, never teach it a texture it has not
 * seen. A world of flat objects only gave the striped example concept nothing to steer to
 * (pattern fidelity 0 at every β), so the world shows stripes and checks, and captions name
 * them with a word before the noun ("a large red striped heart"), never their second colour.
 */
export const PATTERN_RATE = 0.25;

/** Width of a band, side of a check: two latent cells, the finest the toy autoencoder renders back. */
export const TRAINING_PATTERN_CELL = EXAMPLE_CONCEPT.pattern.cell!;

/**
 * Whether a pattern on an object is the example concept's own (its band colour on its object
 * colour): the world never shows it, so the concept teaches something words cannot ask for.
 */
export function isExampleConceptPattern(object: SceneObject, pattern: ObjectPattern): boolean {
  return pattern.kind === EXAMPLE_CONCEPT.pattern.kind && pattern.colour === EXAMPLE_CONCEPT.pattern.colour && object.colour === EXAMPLE_CONCEPT.colour;
}

/**
 * `scene` with each object given, with probability `rate`, a striped or checkered fill in a
 * random second colour (not the object's, not the background, never the example concept's
 * combination).
 */
export function withRandomPatterns(scene: Scene, rng: Rng, rate = PATTERN_RATE): Scene {
  const objects = scene.objects.map((object, i) => {
    const draw = rng.fork(`pattern-${i}`);
    if (draw.uniform() >= rate) return object;
    const kind = PATTERN_KINDS[Math.floor(draw.uniform() * PATTERN_KINDS.length)]!;
    const colours = COLOUR_NAMES.filter(
      (c: ColourName) => c !== object.colour && c !== scene.background && !isExampleConceptPattern(object, { kind, colour: c }),
    );
    const colour = colours[Math.floor(draw.uniform() * colours.length)]!;
    return { ...object, pattern: { kind, colour, cell: TRAINING_PATTERN_CELL } };
  });
  return { ...scene, objects };
}
