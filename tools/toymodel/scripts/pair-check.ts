/**
 * Whether a model draws one shape on given colour pairs, and whether its autoencoder can give that
 * shape back there at all (see src/evaluate/pair-check.ts):
 *   npm run pair-check -w @perfusion/toymodel -- [--model DIR] [--shape star] [--size small|large] [--pairs gray/purple,yellow/white] [--seeds 0,1]
 * Without --pairs: the pairs the model's encoder puts closest, the closer half of all (`lowContrastPairs`), closest first.
 * Prints a Markdown table: pair, held out of training or not, generated right, autoencoder right, what was misread.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { SHAPE_NAMES, SIZE_NAMES, type ShapeName, type SizeName } from '@perfusion/toyworld';
import { pairCheck, parseColourPairs } from '../src/evaluate/pair-check.js';
import { TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_MODEL_DIR },
    shape: { type: 'string', default: 'star' },
    size: { type: 'string', default: 'small' },
    pairs: { type: 'string' },
    seeds: { type: 'string', default: '0,1' },
  },
});
const shape = values.shape as ShapeName;
const size = values.size as SizeName;
if (!SHAPE_NAMES.includes(shape) || !SIZE_NAMES.includes(size)) {
  console.error(`pair-check: --shape must be one of ${SHAPE_NAMES.join(', ')} and --size one of ${SIZE_NAMES.join(', ')}.`);
  process.exit(2);
}
const seeds = values.seeds!.split(',').map(Number);
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) {
  console.error(`pair-check: --seeds '${values.seeds}' must be comma-separated whole numbers.`);
  process.exit(2);
}
const model = resolveUserPath(values.model!);

const started = Date.now();
const rows = await pairCheck(model, shape, { pairs: values.pairs === undefined ? undefined : parseColourPairs(values.pairs), size, seeds });
console.log(`| ${size} ${shape}: colour / background | held out | generated right | autoencoder right | misread as |`);
console.log('|---|---|---|---|---|');
for (const row of rows) {
  const misread = [...row.generated.misread.map((m) => `${m || 'nothing'} (generated)`), ...row.autoencoder.misread.map((m) => `${m || 'nothing'} (autoencoder)`)];
  console.log(`| ${row.colour} / ${row.background} | ${row.heldOut ? 'yes' : 'no'} | ${row.generated.right}/${row.generated.total} | ${row.autoencoder.right}/${row.autoencoder.total} | ${misread.join(', ')} |`);
}
const sum = (pick: (r: (typeof rows)[number]) => { right: number; total: number }) => `${rows.reduce((a, r) => a + pick(r).right, 0)}/${rows.reduce((a, r) => a + pick(r).total, 0)}`;
console.log(`\nall pairs: generated ${sum((r) => r.generated)}, autoencoder ${sum((r) => r.autoencoder)}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
