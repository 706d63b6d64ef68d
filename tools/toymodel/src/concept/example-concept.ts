import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRgbImage, encodePng, type RgbImage } from '@perfusion/encoders';
import { objectCovers, renderScene, SCENE_SIZE, type ColourName, type ObjectPattern, type PositionName, type Scene } from '@perfusion/toyworld';

/**
 * The bundled example concept: a yellow star with black horizontal bands 8 pixels wide, a pattern
 * the base world never shows, taught to the toy model as `<striped-star>` with supercategory
 * "star". Bands of two latent cells, not one: the toy autoencoder renders 8-pixel bands back
 * (pattern fidelity of its reconstructions 0.90 with the committed autoencoder), 4-pixel bands
 * only in part (0.50–0.57) and 4-pixel checks hardly at all (0.02–0.10), and a concept can only
 * show what the decoder can draw.
 */
export const EXAMPLE_CONCEPT = {
  token: '<striped-star>',
  supercategory: 'star',
  colour: 'yellow' as ColourName,
  pattern: { kind: 'striped', colour: 'black', cell: 8 } as ObjectPattern,
  /** File name in the concepts folder beside the model. */
  file: 'striped-star.safetensors',
  /**
   * Training prompts in the toy world's own phrasings (`perfusion train --template`): the trainer's
   * default framings hold words the toy text encoder never learnt ("close-up", "cropped", "my").
   * The pictures' backgrounds and places go unnamed; their masks keep them out of the loss.
   */
  templates: ['a large {}', 'a photo of a large {}', 'a {}', 'a picture of a {}', 'an image of a {}', 'a rendering of a {}'],
  /**
   * The value targets' learning rate (`perfusion train --lr`): the trainer's default. The model
   * committed before needed twice it (there the default peaked at β 0.45, below the inference
   * default 0.7); on the committed one twice it floods the picture at β 0.5 and draws fewer stripes
   * at β 0.5–0.8 than the default does (docs/toy-model.md).
   */
  valueLearningRate: 0.03,
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

/** Pixels the mask reaches beyond the object's edge, so the loss also sees the edge's blend. */
const MASK_MARGIN = 2;

/**
 * The concept's mask in a scene: white over its object grown by {@link MASK_MARGIN} pixels, black
 * elsewhere. The five pictures differ in background and place, which the training prompts do not
 * name; without a mask the token would also be taught those backgrounds, and the object is a
 * fifth of the picture.
 */
export function exampleConceptMask(scene: Scene): RgbImage {
  const object = scene.objects[0]!;
  const mask = createRgbImage(SCENE_SIZE, SCENE_SIZE);
  for (let y = 0; y < SCENE_SIZE; y++) {
    for (let x = 0; x < SCENE_SIZE; x++) {
      let near = false;
      for (let dy = -MASK_MARGIN; dy <= MASK_MARGIN && !near; dy++) {
        for (let dx = -MASK_MARGIN; dx <= MASK_MARGIN && !near; dx++) near = objectCovers(object, x + dx, y + dy);
      }
      if (near) mask.data.fill(255, (y * SCENE_SIZE + x) * 3, (y * SCENE_SIZE + x) * 3 + 3);
    }
  }
  return mask;
}

/**
 * Writes the five training pictures into `dir` (created) as `<name>.png` with the concept's mask
 * beside each as `<name>.mask.png` (the trainer then weighs the loss inside the mask only);
 * returns the pictures' paths.
 */
export function writeExampleConceptImages(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return exampleConceptScenes().map((scene, i) => {
    const name = path.join(dir, `striped-star-${i + 1}-${scene.objects[0]!.position}`);
    fs.writeFileSync(`${name}.png`, encodePng(renderScene(scene)));
    fs.writeFileSync(`${name}.mask.png`, encodePng(exampleConceptMask(scene)));
    return `${name}.png`;
  });
}
