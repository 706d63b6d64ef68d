import { checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { COLOUR_NAMES, nearestColour, type ColourName } from './palette.js';
import { SCENE_SIZE, SIZE_PIXELS, type PositionName, type Scene, type SizeName } from './scene.js';
import type { ShapeName } from './shapes.js';
import { componentsTouch, connectedComponents, forEachComponentPixel, interiorPixels, type Component } from './components.js';
import { classifyShape } from './classify-shape.js';
import { joinBridgedPieces } from './bridged-pieces.js';
import { blendPosition, meanColourOf } from './blend.js';
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
  /** How far the soft silhouette is from the chosen shape's (0 = exact; see classifyShape). */
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
 * has no interior, and it hugs a solid region, or a thin one (a small ring's band) whose colour its
 * own is a blend of with the background's.
 */
function withoutBlendBands(regions: readonly Component[], image: RgbImage, background: readonly number[]): Component[] {
  const solid = regions.filter((r) => interiorPixels(r) >= SOLID_INTERIOR);
  const colours = regions.map((r) => meanColourOf(image, [r]));
  const isBandOf = (band: number, object: number): boolean => {
    const t = blendPosition(colours[band]!, colours[object]!, background);
    return t !== undefined && t > BAND_BLEND_RANGE[0] && t < BAND_BLEND_RANGE[1];
  };
  return regions.filter(
    (r, i) => solid.includes(r) || !regions.some((s, j) => s !== r && componentsTouch(r, s) && (solid.includes(s) || (isBandOf(i, j) && !isBandOf(j, i)))),
  );
}

/** Where between the background (0) and an object's colour (1) a band's mean colour must lie to be that object's soft edge. */
const BAND_BLEND_RANGE = [0.1, 0.9] as const;

/** The mean RGB of the pixels labelled `label`. */
function meanColour(image: RgbImage, labels: Uint8Array, label: number): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] !== label) continue;
    for (let c = 0; c < 3; c++) sum[c]! += image.data[3 * p + c]!;
    count++;
  }
  return sum.map((v) => v / Math.max(1, count));
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

/** Pixels around an object's box that its silhouette takes in: enough for the soft edge a blur of about a pixel leaves. */
const SHARE_MARGIN = 3;
/** Below this RGB distance between an object's colour and the background's, their blends say too little; the 0/1 mask is used. */
const MIN_CONTRAST = 40;

/**
 * For each pixel of `region`'s box grown by SHARE_MARGIN, how much of it is the region's colour
 * rather than the background's: the pixel's place on the line between the two mean colours,
 * clamped to [0, 1]. Pixels of other objects, and of other regions of the same colour, count as 0.
 */
function objectShare(image: RgbImage, owner: Int32Array, region: Component, index: number, background: readonly number[]): { share: Float32Array; width: number; height: number } {
  const { width, height, data } = image;
  const direction = meanColourOf(image, [region]).map((v, c) => v - background[c]!);
  const length2 = direction.reduce((a, d) => a + d * d, 0);
  const [x0, y0] = [Math.max(0, region.x0 - SHARE_MARGIN), Math.max(0, region.y0 - SHARE_MARGIN)];
  const [x1, y1] = [Math.min(width, region.x1 + SHARE_MARGIN), Math.min(height, region.y1 + SHARE_MARGIN)];
  const share = new Float32Array((x1 - x0) * (y1 - y0));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * width + x;
      const mine = owner[p] === index;
      let value: number;
      if (length2 < MIN_CONTRAST ** 2 || (owner[p] !== -1 && !mine)) value = mine ? 1 : 0;
      else {
        let dot = 0;
        for (let c = 0; c < 3; c++) dot += (data[3 * p + c]! - background[c]!) * direction[c]!;
        value = Math.min(1, Math.max(0, dot / length2));
      }
      share[(y - y0) * (x1 - x0) + (x - x0)] = value;
    }
  }
  return { share, width: x1 - x0, height: y1 - y0 };
}

/**
 * Reads a scene back from pixels: every pixel takes its nearest palette colour, the commonest colour
 * is the background, and each 8-connected region of one other colour is an object (unless it is a thin
 * band of blended colour along another region's edge; pieces of one colour that such bands join
 * count as one region), whose shape is the
 * nearest to its soft silhouette (see classifyShape), size its bounding box, and position its box centre. With `expected`, also scores
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
  const background = meanColour(image, labels, backgroundLabel);
  const pieces = connectedComponents(labels, width, height, backgroundLabel);
  const components = joinBridgedPieces(pieces, pieces.filter((c) => interiorPixels(c) < SOLID_INTERIOR), image, background);
  const kept = withoutBlendBands(components.filter((c) => c.area >= minArea), image, background);
  // Each pixel's object (its index in `kept`), or kept.length for another region of an object's
  // colour (a stray piece is not part of the object beside it); -1 for background and blends.
  const owner = new Int32Array(width * height).fill(-1);
  for (const c of components) {
    const index = kept.indexOf(c);
    if (index < 0 && !kept.some((k) => k.label === c.label)) continue;
    forEachComponentPixel(c, (x, y) => (owner[y * width + x] = index >= 0 ? index : kept.length));
  }
  const objects = kept
    .map((c, index): FoundObject => {
      const boxWidth = c.x1 - c.x0;
      const boxHeight = c.y1 - c.y0;
      const centre = [(c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2] as const;
      const soft = objectShare(image, owner, c, index, background);
      const guess = classifyShape(soft.share, soft.width, soft.height);
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
