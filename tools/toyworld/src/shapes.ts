/**
 * Shapes as inside-tests on box coordinates (u, v) ∈ [-1, 1]², u to the right and v downwards.
 * Each shape reaches (or nearly reaches) all four sides of the box, so a drawn object's bounding box
 * is its size and its centre is the box centre.
 */
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'diamond', 'ring', 'cross', 'star', 'heart'] as const;

export type ShapeName = (typeof SHAPE_NAMES)[number];

type Point = readonly [number, number];

/** Even-odd rule: a horizontal ray from (u, v) crosses the polygon's edges an odd number of times. */
function insidePolygon(polygon: readonly Point[], u: number, v: number): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ui, vi] = polygon[i]!;
    const [uj, vj] = polygon[j]!;
    if (vi > v !== vj > v && u < ((uj - ui) * (v - vi)) / (vj - vi) + ui) inside = !inside;
  }
  return inside;
}

/** Five-pointed star, point up, stretched so that its outline touches all four sides of the box. */
const STAR: readonly Point[] = (() => {
  const raw: Point[] = [];
  for (let k = 0; k < 10; k++) {
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    const radius = k % 2 === 0 ? 1 : 0.45;
    raw.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
  }
  const us = raw.map((p) => p[0]);
  const vs = raw.map((p) => p[1]);
  const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
  return raw.map(([u, v]) => [(2 * (u - u0)) / (u1 - u0) - 1, (2 * (v - v0)) / (v1 - v0) - 1] as Point);
})();

const TRIANGLE: readonly Point[] = [[0, -1], [1, 1], [-1, 1]];
const HEART_POINT: readonly Point[] = [[-0.97, -0.3], [0.97, -0.3], [0, 1]];
const RING_INNER = 0.55;
const CROSS_HALF_WIDTH = 1 / 3;

const INSIDE: Record<ShapeName, (u: number, v: number) => boolean> = {
  circle: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1,
  triangle: (u, v) => insidePolygon(TRIANGLE, u, v),
  diamond: (u, v) => Math.abs(u) + Math.abs(v) <= 1,
  ring: (u, v) => {
    const r2 = u * u + v * v;
    return r2 <= 1 && r2 >= RING_INNER * RING_INNER;
  },
  cross: (u, v) => (Math.abs(u) <= CROSS_HALF_WIDTH && Math.abs(v) <= 1) || (Math.abs(v) <= CROSS_HALF_WIDTH && Math.abs(u) <= 1),
  star: (u, v) => insidePolygon(STAR, u, v),
  // Two lobes (circles of radius 0.5 centred at (±0.5, -0.5)) over a downward point.
  heart: (u, v) => (u + 0.5) ** 2 + (v + 0.5) ** 2 <= 0.25 || (u - 0.5) ** 2 + (v + 0.5) ** 2 <= 0.25 || insidePolygon(HEART_POINT, u, v),
};

/** Whether the box point (u, v) lies inside `shape`. */
export function insideShape(shape: ShapeName, u: number, v: number): boolean {
  return INSIDE[shape](u, v);
}
