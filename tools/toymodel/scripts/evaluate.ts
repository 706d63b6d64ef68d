/**
 * Measures the toy model by pixel analysis of generated images (see src/evaluate/):
 *   npm run evaluate -w @perfusion/toymodel -- [--model DIR] [--out DIR] [--single N] [--double N] [--steps N] [--guidance G] [--seed N]
 * --seed draws other held-out captions than the reported figures' (seed 7): compare candidate models on
 * such a validation draw, so that choosing among them does not tune them to the captions the figures report.
 * Prints a Markdown table; with --out also writes report.json (with what was read in each picture), a grid
 * of samples and shape-misses.txt (each one-object caption whose shape was read wrong, and what was read).
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '@perfusion/encoders';
import { tileImages } from '@perfusion/toyworld';
import { evaluateModel, shapeMisses } from '../src/evaluate/evaluate-model.js';
import { formatShapeTallies } from '../src/evaluate/accuracy.js';
import { reportTable } from '../src/evaluate/report-table.js';
import { TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_MODEL_DIR },
    out: { type: 'string' },
    single: { type: 'string' },
    double: { type: 'string' },
    steps: { type: 'string' },
    guidance: { type: 'string' },
    scheduler: { type: 'string' },
    seed: { type: 'string' },
  },
});
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const overrides = Object.fromEntries(
  Object.entries({ single: number(values.single), double: number(values.double), steps: number(values.steps), guidanceScale: number(values.guidance), scheduler: values.scheduler, seed: number(values.seed) }).filter(([, v]) => v !== undefined),
);
const started = Date.now();
const report = await evaluateModel(resolveUserPath(values.model!), overrides, (sample, done, total) => {
  if (done % 20 === 0 || done === total) process.stderr.write(`\r${done}/${total} captions`);
});
process.stderr.write('\n');
console.log(reportTable(report));
console.log(`\nshape right, one-object captions:\n${formatShapeTallies(report.shapes.single)}`);
console.log(`\n${report.samples.length} captions in ${((Date.now() - started) / 1000).toFixed(0)} s; settings ${JSON.stringify(report.settings)}`);
if (values.out !== undefined) {
  const out = resolveUserPath(values.out);
  fs.mkdirSync(out, { recursive: true });
  const { samples, ...figures } = report;
  const perSample = samples.map(({ prompt, seed, score, read }) => ({ prompt, seed, score, read: read.map(({ shape, colour, size, position, shapeMismatch }) => ({ shape, colour, size, position, shapeMismatch })) }));
  fs.writeFileSync(path.join(out, 'report.json'), `${JSON.stringify({ ...figures, samples: perSample }, null, 1)}\n`);
  const shown = [...samples.slice(0, 24), ...samples.filter((s) => s.scene.objects.length === 2).slice(0, 8)];
  fs.writeFileSync(path.join(out, 'samples.png'), encodePng(tileImages(shown.map((s) => s.image), 8)));
  fs.writeFileSync(path.join(out, 'samples.txt'), `${shown.map((s) => `${s.score.exact ? '✓' : '✗'} ${s.prompt}`).join('\n')}\n`);
  fs.writeFileSync(path.join(out, 'shape-misses.txt'), `${shapeMisses(report).join('\n')}\n`);
  console.log(`wrote ${out}/report.json, samples.png, samples.txt, shape-misses.txt`);
}
