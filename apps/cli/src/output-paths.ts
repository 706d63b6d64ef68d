import * as path from 'node:path';

/** Default image path when `--out` is not given: `perfusion-<seed>.png` in the working directory. */
export function defaultOutPath(seed: number): string {
  return `perfusion-${seed}.png`;
}

/** The files a batch is written to: `a.png` for one image, `a-0.png`, `a-1.png`, ... for several. */
export function imagePaths(out: string, batchSize: number): string[] {
  if (batchSize === 1) return [out];
  const ext = path.extname(out);
  const stem = out.slice(0, out.length - ext.length);
  return Array.from({ length: batchSize }, (_, i) => `${stem}-${i}${ext}`);
}

/** Preview of step `step` (0-based) of image `image` of a batch: `step-007.png` or, in a batch, `step-007-1.png`. */
export function previewPath(dir: string, step: number, image: number, batchSize: number): string {
  const name = `step-${String(step).padStart(3, '0')}${batchSize === 1 ? '' : `-${image}`}.png`;
  return path.join(dir, name);
}
