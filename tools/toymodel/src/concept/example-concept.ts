import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng } from '@perfusion/encoders';
import { renderScene, type ColourName, type ObjectPattern, type PositionName, type Scene } from '@perfusion/toyworld';

/**
 * The bundled example concept: a yellow star with black horizontal bands 8 pixels wide, a pattern
 * the base world never shows, taught to the toy model as `<striped-star>` with supercategory
 * "star". Bands of two latent cells, not one: the toy autoencoder, trained on flat shapes only,
 * renders 8-pixel bands back (pattern fidelity of its reconstructions 0.55–0.64) but smears
 * 4-pixel checks or bands into one colour (fidelity 0), and a concept can only show what the
 * decoder can draw.
 */
export const EXAMPLE_CONCEPT = {
  token: '<striped-star>',
  supercategory: 'star',
  colour: 'yellow' as ColourName,
  pattern: { kind: 'striped', colour: 'black', cell: 8 } as ObjectPattern,
  /** File name in the concepts folder beside the model. */
  file: 'striped-star.safetensors',
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

/** The five training scenes: the large striped star at five places on five backgrounds. */
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
    const file = path.join(dir, `striped-star-${i + 1}-${scene.objects[0]!.position}.png`);
    fs.writeFileSync(file, encodePng(renderScene(scene)));
    return file;
  });
}
