/**
 * The named colours of scenes and backgrounds. They sit far apart in RGB (the closest pair is
 * 95 apart: orange and yellow), so nearest-palette classification of a pixel is unambiguous on clean renders and
 * tolerant of the colour drift a generative model adds.
 */
export const COLOURS = {
  red: [220, 30, 30],
  orange: [245, 140, 0],
  yellow: [245, 230, 30],
  green: [30, 160, 50],
  blue: [30, 70, 230],
  purple: [140, 40, 190],
  white: [250, 250, 250],
  black: [15, 15, 15],
  gray: [128, 128, 128],
} as const satisfies Record<string, readonly [number, number, number]>;

export type ColourName = keyof typeof COLOURS;

export const COLOUR_NAMES = Object.keys(COLOURS) as readonly ColourName[];

/** The palette colour nearest to (r, g, b) in squared RGB distance; ties go to the earlier name. */
export function nearestColour(r: number, g: number, b: number): ColourName {
  let best: ColourName = COLOUR_NAMES[0]!;
  let bestDistance = Infinity;
  for (const name of COLOUR_NAMES) {
    const [pr, pg, pb] = COLOURS[name];
    const distance = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best;
}
