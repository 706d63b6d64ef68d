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

/** Default checkpoint of a run writing `out`: `my-cat.safetensors` → `my-cat.ckpt.safetensors`, beside it. */
export function defaultCheckpointPath(out: string): string {
  const stem = out.replace(/\.safetensors$/i, '');
  return `${stem}.ckpt.safetensors`;
}

/** Training sample of step `step` (1-based, as the trainer counts): `step-000050.png`. */
export function samplePath(dir: string, step: number): string {
  return path.join(dir, `step-${String(step).padStart(6, '0')}.png`);
}
