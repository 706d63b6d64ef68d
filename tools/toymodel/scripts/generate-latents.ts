/**
 * Generates the pool of denoiser latents the decoder stage learns from with --generated-latents-from:
 *   npm run generate-latents -w @perfusion/toymodel -- [--model DIR] [--work DIR] [--count N] [--seed N] [--hard-shapes]
 * Draws --count training scenes (default 2000; no held-out combination; --hard-shapes: a third of them
 * small stars, crosses and rings only, which biased the decoder, see src/data/generated-latents.ts), generates each scene's
 * caption with the model folder's pipeline (default: the committed model) at seeds from 1,000,000,
 * keeps the latents of the pictures whose layout the analyser finds right, and writes them to
 * <work>/decoder/generated-latents.safetensors.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateLatents, writeGeneratedLatents } from '../src/data/generated-latents.js';
import { TOY_MODEL_DIR } from '../src/model-dir.js';
import { generatedLatentsFile } from '../src/training/stages.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_MODEL_DIR },
    work: { type: 'string', default: path.resolve(import.meta.dirname, '../.work') },
    count: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '11' },
    'hard-shapes': { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive whole number, got '${values.count}'.`);
const started = Date.now();
const pool = await generateLatents(resolveUserPath(values.model!), {
  count,
  seed: Number(values.seed),
  hardShapes: values['hard-shapes'],
  onProgress: (done, total, kept) => {
    if (done % 50 === 0 || done === total) console.log(`generated ${done}/${total}, kept ${kept} (${((done * 1000) / (Date.now() - started)).toFixed(2)} per second)`);
  },
});
const file = generatedLatentsFile(path.join(resolveUserPath(values.work!), 'decoder'));
await writeGeneratedLatents(file, pool);
console.log(`wrote ${pool.scenes.length} latents to ${file} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
