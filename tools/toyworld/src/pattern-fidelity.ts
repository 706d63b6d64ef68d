import { checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { positionOf } from './analyse.js';
import { COLOUR_NAMES, nearestColour, type ColourName } from './palette.js';
import type { PositionName } from './scene.js';

/** How much of a picture's foreground shows a two-colour pattern. */
export interface PatternMeasure {
  /** The commonest palette colour, taken as the background. */
  readonly background: ColourName;
  /** Pixels not of the background colour. */
  readonly foreground: number;
  /** Where the foreground's bounding box is centred (as the analyser names positions); undefined without foreground. */
  readonly position: PositionName | undefined;
  /** Share of the foreground nearest to each of the pattern's two colours. */
  readonly shares: readonly [number, number];
  /**
   * 2·min(shares): 1 when the foreground is half one colour, half the other (a clean checkered or
   * striped fill), 0 when either colour is missing (a flat object) or there is no foreground.
   */
  readonly fidelity: number;
}

/**
 * Measures whether an image's objects carry the two-colour pattern `colours`: every pixel takes
 * its nearest palette colour, the commonest is the background, and the rest is scored by how
 * evenly it splits between the two colours. Blind to the pattern's phase and scale on purpose: a
 * generated pattern need not sit on the training images' grid.
 */
export function measurePattern(image: RgbImage, colours: readonly [ColourName, ColourName]): PatternMeasure {
  checkRgbImage(image, 'measurePattern');
  const labels = new Array<ColourName>(image.width * image.height);
  const counts = new Map<ColourName, number>(COLOUR_NAMES.map((c) => [c, 0]));
  for (let p = 0; p < labels.length; p++) {
    const colour = nearestColour(image.data[3 * p]!, image.data[3 * p + 1]!, image.data[3 * p + 2]!);
    labels[p] = colour;
    counts.set(colour, counts.get(colour)! + 1);
  }
  const background = [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
  const foreground = labels.length - counts.get(background)!;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] === background) continue;
    const x = p % image.width;
    const y = Math.floor(p / image.width);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  }
  const position = foreground === 0 ? undefined : positionOf((x0 + x1) / 2, (y0 + y1) / 2, image.width, image.height);
  const share = (c: ColourName): number => (foreground === 0 || c === background ? 0 : counts.get(c)! / foreground);
  const shares: [number, number] = [share(colours[0]), share(colours[1])];
  return { background, foreground, position, shares, fidelity: 2 * Math.min(...shares) };
}

