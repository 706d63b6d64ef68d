import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng } from '@perfusion/encoders';
import { renderScene, type ColourName, type ObjectPattern, type PositionName, type Scene } from '@perfusion/toyworld';

/**
 * The bundled example concept: a yellow star with black 4-pixel checks, a pattern the base world
 * never shows, taught to the toy model as `<checkered-star>` with supercategory "star".
 */
export const EXAMPLE_CONCEPT = {
  token: '<checkered-star>',
  supercategory: 'star',
  colour: 'yellow' as ColourName,
  pattern: { kind: 'checkered', colour: 'black' } as ObjectPattern,
  /** File name in the concepts folder beside the model. */
  file: 'checkered-star.safetensors',
} as const;

/** The pattern's two colours, for `measurePattern`. */
export const EXAMPLE_PATTERN_COLOURS: readonly [ColourName, ColourName] = [EXAMPLE_CONCEPT.colour, EXAMPLE_CONCEPT.pattern.colour];

/** Where and on what the five training pictures show the concept (never on orange: the README's prompt asks for that). */
const TRAINING_VIEWS: readonly (readonly [PositionName, ColourName])[] = [
  ['center', 'gray'],
  ['left', 'white'],
  ['right', 'blue'],
  ['top', 'green'],
  ['bottom', 'purple'],
];

/** The five training scenes: the large checkered star at five places on five backgrounds. */
export function exampleConceptScenes(): Scene[] {
  return TRAINING_VIEWS.map(([position, background]) => ({
    background,
    objects: [{ shape: 'star', colour: EXAMPLE_CONCEPT.colour, size: 'large', position, pattern: EXAMPLE_CONCEPT.pattern }],
  }));
}

/** Writes the five training pictures as PNGs into `dir` (created); returns their paths. */
export function writeExampleConceptImages(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return exampleConceptScenes().map((scene, i) => {
    const file = path.join(dir, `checkered-star-${i + 1}-${scene.objects[0]!.position}.png`);
    fs.writeFileSync(file, encodePng(renderScene(scene)));
    return file;
  });
}
