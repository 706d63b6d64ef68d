/**
 * Blends two toy models' denoiser and text encoder weights (see src/export/average-models.ts):
 *   npm run average-models -w @perfusion/toymodel -- --first DIR --second DIR [--weight 0.5] --out DIR
 * The output takes every other component (autoencoder, tokenizer, scheduler) from --second.
 */
import { parseArgs } from 'node:util';
import { averageToyModels } from '../src/export/average-models.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({ options: { first: { type: 'string' }, second: { type: 'string' }, weight: { type: 'string', default: '0.5' }, out: { type: 'string' } } });
if (values.first === undefined || values.second === undefined || values.out === undefined) {
  throw new Error('average-models needs --first DIR --second DIR --out DIR (and optionally --weight W, the share of --second, default 0.5).');
}
const weight = Number(values.weight);
const out = resolveUserPath(values.out);
await averageToyModels(resolveUserPath(values.first), resolveUserPath(values.second), weight, out);
console.log(`wrote ${out}: ${Number((1 - weight).toFixed(6))} × ${values.first} + ${weight} × ${values.second} (unet, text_encoder); the rest from ${values.second}`);
