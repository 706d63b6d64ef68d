import type { RgbImage } from '@perfusion/encoders';
import { blendPosition, meanColourOf } from './blend.js';
import { connectedComponents, forEachComponentPixel, joinComponents, type Component } from './components.js';

/** Picture coordinates of a component's first pixel in scan order. */
function firstPixel(component: Component): [number, number] {
  const boxWidth = component.x1 - component.x0;
  const first = component.mask.indexOf(1);
  return [component.x0 + (first % boxWidth), component.y0 + Math.floor(first / boxWidth)];
}

/**
 * Joins thin pieces of one colour that a thin band of other colours separates: a blurred or
 * generated thin shape (a small ring's band) fades towards the background along its length, and
 * where its blend with the background is nearer another palette colour the shape breaks into pieces.
 * Pieces of label L among the `thin` components (no interior) are joined when they connect through
 * pixels of those pieces and of other thin components whose colour is a blend of L's and the
 * background's. Solid pieces are never joined (fading does not split a solid shape, but two solid
 * objects side by side touch through their soft edges), and the background, solid regions and other
 * colours do not bridge, so the blend bands around one object are not joined through it.
 */
export function joinBridgedPieces(components: readonly Component[], thin: readonly Component[], image: RgbImage, background: readonly number[]): Component[] {
  const { width, height } = image;
  const thinMask = new Uint8Array(width * height);
  for (const t of thin) forEachComponentPixel(t, (x, y) => (thinMask[y * width + x] = 1));
  const byLabel = new Map<number, Component[]>();
  const joined: Component[] = [];
  for (const c of components) {
    if (thin.includes(c)) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
    else joined.push(c);
  }
  for (const pieces of byLabel.values()) {
    if (pieces.length === 1) {
      joined.push(pieces[0]!);
      continue;
    }
    // 1 where a piece of this colour or a thin band is: its 8-connected regions hold the bridged pieces.
    const colour = meanColourOf(image, pieces);
    const passable = new Uint8Array(width * height);
    for (let p = 0; p < passable.length; p++) if (thinMask[p] === 1 && blendPosition(image.data.subarray(3 * p, 3 * p + 3), colour, background) !== undefined) passable[p] = 1;
    for (const piece of pieces) forEachComponentPixel(piece, (x, y) => (passable[y * width + x] = 1));
    const regionAt = new Int32Array(width * height);
    connectedComponents(passable, width, height, 0).forEach((region, index) => forEachComponentPixel(region, (x, y) => (regionAt[y * width + x] = index)));
    const groups = new Map<number, Component[]>();
    for (const piece of pieces) {
      const [x, y] = firstPixel(piece);
      const region = regionAt[y * width + x]!;
      groups.set(region, [...(groups.get(region) ?? []), piece]);
    }
    for (const group of groups.values()) joined.push(joinComponents(group));
  }
  return joined;
}
