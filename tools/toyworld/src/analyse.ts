import { checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { COLOUR_NAMES, nearestColour, type ColourName } from './palette.js';
import { SCENE_SIZE, SIZE_PIXELS, type PositionName, type Scene, type SizeName } from './scene.js';
import type { ShapeName } from './shapes.js';
import { componentsTouch, connectedComponents, interiorPixels, type Component } from './components.js';
import { classifyShape } from './classify-shape.js';
import { scoreAnalysis, type SceneScore } from './score.js';

export interface FoundObject {
  readonly shape: ShapeName;
  readonly colour: ColourName;
  readonly size: SizeName;
  readonly position: PositionName;
  /** Pixels in the object. */
  readonly area: number;
  /** Bounding-box centre in pixels. */
  readonly centre: readonly [number, number];
  /** How far the silhouette is from the chosen shape's (0 = exact; see classifyShape). */
  readonly shapeMismatch: number;
}

export interface ImageAnalysis {
  readonly background: ColourName;
  /** Objects largest first. */
  readonly objects: readonly FoundObject[];
  /** Present when an expected scene was given: which of its attributes the image shows. */
  readonly score?: SceneScore;
}

export interface AnalyseOptions {
  /** Regions with fewer pixels than this are treated as noise, not objects. Default 16. */
  readonly minArea?: number;
}

/** Interior pixels (see interiorPixels) a region needs to be solid rather than a band between two colours. */
const SOLID_INTERIOR = 4;

/**
 * Drops the bands a soft edge leaves: where an object meets the background, a blurred or generated
 * picture blends the two colours, and the blend can be nearer a third palette colour (gray between
 * white and green, orange between yellow and red). Such a band is at most two pixels wide, so it
 * has no interior, and it hugs a solid region.
 */
function withoutBlendBands(regions: readonly Component[]): Component[] {
  const solid = regions.filter((r) => interiorPixels(r) >= SOLID_INTERIOR);
  return regions.filter((r) => solid.includes(r) || !solid.some((s) => componentsTouch(r, s)));
}

/** Offsets from the image centre below this fraction of the side count as "center". */
const CENTER_FRACTION = 1 / 8;
/** Boxes whose longer side reaches this fraction of the image are "large": halfway between the two sizes. */
const LARGE_FRACTION = (SIZE_PIXELS.small + SIZE_PIXELS.large) / 2 / SCENE_SIZE;

/** The position word for a box centred at (cx, cy) in a width × height picture. */
export function positionOf(cx: number, cy: number, width: number, height: number): PositionName {
  const dx = cx - width / 2;
  const dy = cy - height / 2;
  if (Math.abs(dx) < width * CENTER_FRACTION && Math.abs(dy) < height * CENTER_FRACTION) return 'center';
  if (Math.abs(dx) / width >= Math.abs(dy) / height) return dx < 0 ? 'left' : 'right';
  return dy < 0 ? 'top' : 'bottom';
}

/**
 * Reads a scene back from pixels: every pixel takes its nearest palette colour, the commonest colour
 * is the background, and each 8-connected region of one other colour is an object (unless it is a thin
 * band of blended colour along another region's edge), whose shape is its
 * nearest silhouette, size its bounding box, and position its box centre. With `expected`, also scores
 * the image against that scene.
 */
export function analyseImage(image: RgbImage, expected?: Scene, options: AnalyseOptions = {}): ImageAnalysis {
  checkRgbImage(image, 'analyseImage');
  const { width, height, data } = image;
  const labels = new Uint8Array(width * height);
  const counts = new Array<number>(COLOUR_NAMES.length).fill(0);
  for (let p = 0; p < labels.length; p++) {
    const label = COLOUR_NAMES.indexOf(nearestColour(data[3 * p]!, data[3 * p + 1]!, data[3 * p + 2]!));
    labels[p] = label;
    counts[label]!++;
  }
  const backgroundLabel = counts.indexOf(Math.max(...counts));
  const minArea = options.minArea ?? 16;
  const regions = connectedComponents(labels, width, height, backgroundLabel).filter((c) => c.area >= minArea);
  const objects = withoutBlendBands(regions)
    .map((c): FoundObject => {
      const boxWidth = c.x1 - c.x0;
      const boxHeight = c.y1 - c.y0;
      const centre = [(c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2] as const;
      const guess = classifyShape(c.mask, boxWidth, boxHeight);
      return {
        shape: guess.shape,
        colour: COLOUR_NAMES[c.label]!,
        size: Math.max(boxWidth / width, boxHeight / height) >= LARGE_FRACTION ? 'large' : 'small',
        position: positionOf(centre[0], centre[1], width, height),
        area: c.area,
        centre,
        shapeMismatch: guess.mismatch,
      };
    })
    .sort((a, b) => b.area - a.area);
  const analysis = { background: COLOUR_NAMES[backgroundLabel]!, objects };
  return expected ? { ...analysis, score: scoreAnalysis(analysis, expected) } : analysis;
}
