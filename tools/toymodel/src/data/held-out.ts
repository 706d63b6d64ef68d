import type { Rng } from '@perfusion/tensor-core';
import { randomScene, type ColourName, type Scene, type ShapeName } from '@perfusion/toyworld';
import { withRandomPatterns } from './patterns.js';

/**
 * Whether the combination (shape, colour, background) is held out of diffusion training: about one
 * in ten, chosen by a fixed hash of its words. The evaluator's single-object captions use only
 * held-out combinations, so its figures measure whether the model composes words it learnt
 * apart ("purple" seen on circles, "heart" seen in other colours) rather than recalls pictures.
 */
export function isHeldOut(shape: ShapeName, colour: ColourName, background: ColourName): boolean {
  let hash = 0x811c9dc5;
  for (const char of `${shape}|${colour}|${background}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 10 === 0;
}

const heldOutObject = (scene: Scene): boolean => scene.objects.some((o) => isHeldOut(o.shape, o.colour, scene.background));

/**
 * A random training scene: no object of it forms a held-out combination with the background.
 * With `patterns`, some objects are striped or checkered ({@link withRandomPatterns}).
 */
export function trainingScene(rng: Rng, options: { readonly patterns?: boolean } = {}): Scene {
  for (let attempt = 0; ; attempt++) {
    const scene = randomScene(rng.fork(attempt));
    if (!heldOutObject(scene)) return options.patterns === true ? withRandomPatterns(scene, rng.fork('patterns')) : scene;
  }
}

/** A random scene of `objects` objects whose first object forms a held-out combination with the background. */
export function heldOutScene(rng: Rng, objects: 1 | 2): Scene {
  for (let attempt = 0; ; attempt++) {
    const scene = randomScene(rng.fork(attempt), { objects });
    const [first] = scene.objects;
    if (isHeldOut(first!.shape, first!.colour, scene.background)) return scene;
  }
}
