import type { Rng } from '@perfusion/tensor-core';
import { PLACE_PHRASES, type Scene, type SceneObject } from '@perfusion/toyworld';

/** Framings a caption may open with, so prompts such as "a photo of a red star" mean something. */
export const CAPTION_FRAMINGS: readonly string[] = ['a photo of ', 'a picture of ', 'an image of ', 'a rendering of '];

/** How often each optional part of a training caption is left out. */
const DROP = { size: 0.25, colour: 0.15, place: 0.2, background: 0.1 } as const;

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

function describe(object: SceneObject, rng: Rng): string {
  const words: string[] = [];
  if (rng.uniform() >= DROP.size) words.push(object.size);
  if (rng.uniform() >= DROP.colour) words.push(object.colour);
  // Never dropped: a caption without it would teach that any object may come out patterned.
  if (object.pattern !== undefined) words.push(object.pattern.kind);
  words.push(object.shape);
  const phrase = `${article(words[0]!)} ${words.join(' ')}`;
  return rng.uniform() >= DROP.place ? `${phrase} ${PLACE_PHRASES[object.position]}` : phrase;
}

/**
 * A caption of `scene` in one of the phrasings people type: the toy world's strict grammar
 * ("a small red star on the left, gray background") most of the time, with an optional framing
 * ("a photo of …"), "on a gray background" for ", gray background", a pattern's kind before the
 * noun ("a red striped heart", its second colour unsaid), and size, colour, place or background
 * sometimes left out (the model then learns that anything goes for that attribute).
 * The caption stays true to the scene: every word it has is a fact of the picture.
 */
export function trainingCaption(scene: Scene, rng: Rng): string {
  const framing = rng.uniform() < 0.3 ? CAPTION_FRAMINGS[Math.floor(rng.uniform() * CAPTION_FRAMINGS.length)]! : '';
  let objects = scene.objects.map((o) => describe(o, rng)).join(' and ');
  if (framing !== '') objects = `${framing}${objects}`;
  if (rng.uniform() < DROP.background) return objects;
  return rng.uniform() < 0.5 ? `${objects}, ${scene.background} background` : `${objects} on ${article(scene.background)} ${scene.background} background`;
}
