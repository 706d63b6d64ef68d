/*
 * Writes a grid of random scenes as one PNG plus their captions, one per line in grid order:
 *   npm run sample -w @perfusion/toyworld -- --out DIR [--seed 0] [--count 64] [--columns 8]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '@perfusion/encoders';
import { Rng } from '@perfusion/tensor-core';
import { caption, randomScene, renderScene, tileImages } from '@perfusion/toyworld';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string', default: '0' },
    count: { type: 'string', default: '64' },
    columns: { type: 'string', default: '8' },
  },
});
if (!values.out) {
  console.error('usage: npm run sample -w @perfusion/toyworld -- --out DIR [--seed 0] [--count 64] [--columns 8]');
  process.exit(2);
}
const count = Number(values.count);
const columns = Number(values.columns);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(columns) || columns < 1) {
  console.error(`--count and --columns must be positive integers, got ${values.count} and ${values.columns}.`);
  process.exit(2);
}

const rng = new Rng(BigInt(values.seed));
const scenes = Array.from({ length: count }, () => randomScene(rng));
const out = path.resolve(values.out);
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'samples.png'), encodePng(tileImages(scenes.map(renderScene), columns)));
await writeFile(path.join(out, 'captions.txt'), scenes.map(caption).join('\n') + '\n');
console.log(`wrote ${count} scenes to ${path.join(out, 'samples.png')} and their captions to ${path.join(out, 'captions.txt')}`);
