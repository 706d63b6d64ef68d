/** An 8-connected region of pixels that share one label (diagonal steps count, so thin tips stay attached). */
export interface Component {
  readonly label: number;
  readonly area: number;
  /** Bounding box: columns x0 ≤ x < x1, rows y0 ≤ y < y1. */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Row-major mask of the bounding box, 1 where the component is. */
  readonly mask: Uint8Array;
}

/** The 8-connected components of a label map (width × height, row-major), skipping pixels labelled `skip`, in scan order of their first pixel. */
export function connectedComponents(labels: Uint8Array, width: number, height: number, skip: number): Component[] {
  const seen = new Uint8Array(labels.length);
  const components: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (seen[start] || labels[start] === skip) continue;
    const label = labels[start]!;
    const pixels: number[] = [];
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % width;
      const y = (p - x) / width;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const q = ny * width + nx;
          if (!seen[q] && labels[q] === label) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    let [x0, y0, x1, y1] = [width, height, 0, 0];
    for (const p of pixels) {
      const x = p % width;
      const y = (p - x) / width;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
    const mask = new Uint8Array((x1 - x0) * (y1 - y0));
    for (const p of pixels) {
      const x = p % width;
      const y = (p - x) / width;
      mask[(y - y0) * (x1 - x0) + (x - x0)] = 1;
    }
    components.push({ label, area: pixels.length, x0, y0, x1, y1, mask });
  }
  return components;
}

/** Calls `visit` with the picture coordinates of every pixel of `component`. */
export function forEachComponentPixel(component: Component, visit: (x: number, y: number) => void): void {
  const width = component.x1 - component.x0;
  for (let y = component.y0; y < component.y1; y++) {
    for (let x = component.x0; x < component.x1; x++) if (component.mask[(y - component.y0) * width + (x - component.x0)] === 1) visit(x, y);
  }
}

/** Pixels of the component whose eight neighbours all belong to it: none in a band two pixels wide. */
export function interiorPixels(component: Component): number {
  const width = component.x1 - component.x0;
  const height = component.y1 - component.y0;
  const at = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && component.mask[y * width + x] === 1;
  let interior = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      let all = at(x, y);
      for (let dy = -1; dy <= 1 && all; dy++) for (let dx = -1; dx <= 1 && all; dx++) all = at(x + dx, y + dy);
      if (all) interior++;
    }
  }
  return interior;
}

/** Whether some pixel of `a` is one of the eight neighbours of a pixel of `b`. */
export function componentsTouch(a: Component, b: Component): boolean {
  if (a.x0 > b.x1 || b.x0 > a.x1 || a.y0 > b.y1 || b.y0 > a.y1) return false;
  const aw = a.x1 - a.x0;
  const bw = b.x1 - b.x0;
  for (let y = a.y0; y < a.y1; y++) {
    for (let x = a.x0; x < a.x1; x++) {
      if (a.mask[(y - a.y0) * aw + (x - a.x0)] !== 1) continue;
      for (let ny = y - 1; ny <= y + 1; ny++) {
        for (let nx = x - 1; nx <= x + 1; nx++) {
          if (nx >= b.x0 && nx < b.x1 && ny >= b.y0 && ny < b.y1 && b.mask[(ny - b.y0) * bw + (nx - b.x0)] === 1) return true;
        }
      }
    }
  }
  return false;
}

/** One component made of several of one label: the union of their masks in their joint bounding box. */
export function joinComponents(parts: readonly Component[]): Component {
  if (parts.length === 1) return parts[0]!;
  const [x0, y0] = [Math.min(...parts.map((p) => p.x0)), Math.min(...parts.map((p) => p.y0))];
  const [x1, y1] = [Math.max(...parts.map((p) => p.x1)), Math.max(...parts.map((p) => p.y1))];
  const mask = new Uint8Array((x1 - x0) * (y1 - y0));
  for (const part of parts) forEachComponentPixel(part, (x, y) => (mask[(y - y0) * (x1 - x0) + (x - x0)] = 1));
  return { label: parts[0]!.label, area: parts.reduce((a, p) => a + p.area, 0), x0, y0, x1, y1, mask };
}
