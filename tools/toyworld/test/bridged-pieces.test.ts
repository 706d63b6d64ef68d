import { describe, expect, it } from 'vitest';
import { COLOURS, connectedComponents, type ColourName } from '../src/index.js';
import { joinBridgedPieces } from '../src/bridged-pieces.js';
import { interiorPixels } from '../src/components.js';

const NAMES = Object.keys(COLOURS) as ColourName[];

/** A one-row picture of the given colours, and its label map (palette index per pixel; the first colour is the background). */
function row(pixels: readonly (ColourName | readonly number[])[]): { image: { width: number; height: number; data: Uint8Array }; labels: Uint8Array } {
  const data = new Uint8Array(pixels.length * 3);
  const labels = new Uint8Array(pixels.length);
  pixels.forEach((pixel, x) => {
    const rgb = typeof pixel === 'string' ? COLOURS[pixel] : pixel;
    data.set(rgb, 3 * x);
    labels[x] = typeof pixel === 'string' ? NAMES.indexOf(pixel) : NAMES.indexOf('gray');
  });
  return { image: { width: pixels.length, height: 1, data }, labels };
}

describe('joinBridgedPieces', () => {
  const yellowBlueBlend = COLOURS.yellow.map((v, c) => Math.round((v + COLOURS.blue[c]!) / 2)); // labelled gray

  it('joins pieces of one colour across a thin blend of that colour with the background', () => {
    const { image, labels } = row(['blue', 'yellow', 'yellow', yellowBlueBlend, 'yellow', 'yellow', 'blue']);
    const pieces = connectedComponents(labels, image.width, 1, NAMES.indexOf('blue'));
    expect(pieces.map((p) => NAMES[p.label])).toEqual(['yellow', 'gray', 'yellow']);
    const joined = joinBridgedPieces(pieces, pieces, image, COLOURS.blue);
    const yellow = joined.filter((c) => NAMES[c.label] === 'yellow');
    expect(yellow.map(({ area, x0, x1 }) => ({ area, x0, x1 }))).toEqual([{ area: 4, x0: 1, x1: 6 }]);
  });

  it('keeps pieces apart across a colour that is no blend of theirs with the background, or across the background', () => {
    for (const between of ['red', 'blue'] as const) {
      const { image, labels } = row(['blue', 'yellow', 'yellow', between, 'yellow', 'yellow', 'blue']);
      const pieces = connectedComponents(labels, image.width, 1, NAMES.indexOf('blue'));
      const joined = joinBridgedPieces(pieces, pieces, image, COLOURS.blue);
      expect(joined.filter((c) => NAMES[c.label] === 'yellow').map((c) => c.area), between).toEqual([2, 2]);
    }
  });

  it('keeps two solid objects apart where their soft edges touch', () => {
    // Two 6×6 yellow squares on blue, one column of their blend between them.
    const line: (ColourName | readonly number[])[] = ['blue', ...Array<ColourName>(6).fill('yellow'), yellowBlueBlend, ...Array<ColourName>(6).fill('yellow'), 'blue'];
    const { image: one, labels: oneLabels } = row(line);
    const image = { width: one.width, height: 6, data: new Uint8Array(6 * one.data.length) };
    const labels = new Uint8Array(6 * oneLabels.length);
    for (let y = 0; y < 6; y++) {
      image.data.set(one.data, y * one.data.length);
      labels.set(oneLabels, y * oneLabels.length);
    }
    const pieces = connectedComponents(labels, image.width, 6, NAMES.indexOf('blue'));
    const joined = joinBridgedPieces(pieces, pieces.filter((p) => interiorPixels(p) < 4), image, COLOURS.blue);
    expect(joined.filter((c) => NAMES[c.label] === 'yellow').map((c) => c.area)).toEqual([36, 36]);
  });
});
