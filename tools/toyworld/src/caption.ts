import { COLOUR_NAMES, type ColourName } from './palette.js';
import { SHAPE_NAMES, type ShapeName } from './shapes.js';
import { POSITION_NAMES, SIZE_NAMES, type PositionName, type Scene, type SceneObject, type SizeName } from './scene.js';
import { SceneError } from './errors.js';

/*
 * Grammar (every caption is at most 22 words, far under CLIP's 77 tokens):
 *   caption  := object (" and " object)? ", " colour " background"
 *   object   := "a " size " " colour " " shape " " place
 *   place    := "on the left" | "on the right" | "at the top" | "at the bottom" | "in the center"
 */

export const PLACE_PHRASES: Record<PositionName, string> = {
  left: 'on the left',
  right: 'on the right',
  top: 'at the top',
  bottom: 'at the bottom',
  center: 'in the center',
};

function describe(object: SceneObject): string {
  return `a ${object.size} ${object.colour} ${object.shape} ${PLACE_PHRASES[object.position]}`;
}

/** The scene in words, e.g. "a small red star on the left, gray background". */
export function caption(scene: Scene): string {
  return `${scene.objects.map(describe).join(' and ')}, ${scene.background} background`;
}

const alternatives = (words: readonly string[]): string => `(${words.join('|')})`;
const OBJECT = `a ${alternatives(SIZE_NAMES)} ${alternatives(COLOUR_NAMES)} ${alternatives(SHAPE_NAMES)} ${alternatives(Object.values(PLACE_PHRASES))}`;
const CAPTION = new RegExp(`^${OBJECT}(?: and ${OBJECT})?, ${alternatives(COLOUR_NAMES)} background$`);

const POSITION_OF_PHRASE = new Map(POSITION_NAMES.map((p) => [PLACE_PHRASES[p], p]));

/** The scene a caption describes; throws {@link SceneError} for text outside the grammar. Inverse of {@link caption}. */
export function parseCaption(text: string): Scene {
  const match = CAPTION.exec(text);
  if (!match) {
    throw new SceneError(`parseCaption: '${text}' does not follow the grammar "a <size> <colour> <shape> <place>[ and …], <colour> background".`);
  }
  const objects: SceneObject[] = [];
  for (const offset of [1, 5]) {
    if (match[offset] === undefined) continue;
    objects.push({
      size: match[offset] as SizeName,
      colour: match[offset + 1] as ColourName,
      shape: match[offset + 2] as ShapeName,
      position: POSITION_OF_PHRASE.get(match[offset + 3]!)!,
    });
  }
  return { background: match[9] as ColourName, objects };
}
