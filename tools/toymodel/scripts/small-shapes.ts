/**
 * The close-up figure of docs/toy-model.md (docs/toy-model/small-shapes.png): what a model draws for
 * "a small yellow {star, cross, circle, diamond} in the center, blue background", one row per seed
 * (1–4), DDIM 25 at the model's guidance, the middle 24×24 pixels of each picture enlarged 6×.
 * Small shapes are where the toy model's misses are, and at 64×64 they are too small to judge whole.
 *   npm run small-shapes -w @perfusion/toymodel -- [--model DIR] --out FILE.png
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { lastValueFrom } from 'rxjs';
import { encodePng, type RgbImage } from '@perfusion/encoders';
import { loadPipeline } from '@perfusion/pipeline';
import { enlargeRegion, tileImages } from '@perfusion/toyworld';
import { DEFAULT_MODEL_GUIDANCE } from '../src/default-model.js';
import { TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const SHAPES = ['star', 'cross', 'circle', 'diamond'];
const SEEDS = [1, 2, 3, 4];
const CROP = { left: 20, top: 20, side: 24, factor: 6 };

const { values } = parseArgs({ options: { model: { type: 'string', default: TOY_MODEL_DIR }, out: { type: 'string' } } });
if (values.out === undefined) throw new Error('small-shapes: give --out FILE.png, where the figure is written.');
const pipeline = await loadPipeline(resolveUserPath(values.model!));
const tiles: RgbImage[] = [];
try {
  for (const seed of SEEDS) {
    for (const shape of SHAPES) {
      const prompt = `a small yellow ${shape} in the center, blue background`;
      const done = await lastValueFrom(pipeline.generate({ prompt, seed, steps: 25, guidanceScale: DEFAULT_MODEL_GUIDANCE, scheduler: 'ddim' }));
      if (done.type !== 'done') throw new Error(`small-shapes: generation of "${prompt}" (seed ${seed}) ended without an image.`);
      tiles.push(enlargeRegion(done.images[0]!, CROP.left, CROP.top, CROP.side, CROP.factor));
    }
  }
} finally {
  await pipeline.release();
}
fs.writeFileSync(resolveUserPath(values.out), encodePng(tileImages(tiles, SHAPES.length)));
console.log(`wrote ${values.out}: ${SHAPES.join(', ')} (columns) × seeds ${SEEDS.join(', ')} (rows)`);
