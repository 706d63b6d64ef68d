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
