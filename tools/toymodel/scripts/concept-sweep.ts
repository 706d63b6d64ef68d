/**
 * The β/τ sweep of the example concept: fidelity against alignment, for the concept as trained
 * (keys locked), for the ablation trained with keys free, and the prompt in words without a
 * concept ("yellow striped star"), plotted to one PNG:
 *   npm run concept-sweep -w @perfusion/toymodel -- [--model DIR] [--concept FILE] [--ablation FILE] [--out DIR] [--replot]
 * Writes tradeoff.png, tradeoff.json and beta-strip.png (one prompt across β) into --out (default docs/toy-model).
 * --replot redraws tradeoff.png from the tradeoff.json already in --out, generating nothing.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readConcept } from '@perfusion/concept-format';
import { encodePng, type RgbImage } from '@perfusion/encoders';
import { loadPipeline } from '@perfusion/pipeline';
import { tileImages } from '@perfusion/toyworld';
import { lastValueFrom } from 'rxjs';
import { EXAMPLE_CONCEPT, EXAMPLE_PATTERN_COLOURS } from '../src/concept/example-concept.js';
import { tradeoffPlotPng, type TradeoffSeries } from '../src/concept/tradeoff-plot.js';
import { sweepPoint, sweepPrompts, wordsPoint, type SweepPoint, type SweepSettings } from '../src/concept/tradeoff-sweep.js';
import { DEFAULT_MODEL_GUIDANCE } from '../src/default-model.js';
import { ToyModelError } from '../src/errors.js';
import { TOY_CONCEPTS_DIR, TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_MODEL_DIR },
    concept: { type: 'string', default: path.join(TOY_CONCEPTS_DIR, EXAMPLE_CONCEPT.file) },
    ablation: { type: 'string' },
    out: { type: 'string', default: path.join(repo, 'docs/toy-model') },
    replot: { type: 'boolean', default: false },
  },
});
const PLOT_TITLE = `${EXAMPLE_CONCEPT.token} on the toy model: fidelity against alignment`;
if (values.replot) {
  const file = path.join(resolveUserPath(values.out!), 'tradeoff.json');
  if (!fs.existsSync(file)) throw new ToyModelError(`concept-sweep --replot: no ${file}; run the sweep once without --replot.`);
  const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { series: TradeoffSeries[] };
  fs.writeFileSync(path.join(path.dirname(file), 'tradeoff.png'), await tradeoffPlotPng(recorded.series, PLOT_TITLE));
  console.log(`redrew ${path.join(path.dirname(file), 'tradeoff.png')} from ${file}`);
  process.exit(0);
}
const WORDS = `${EXAMPLE_CONCEPT.colour} ${EXAMPLE_CONCEPT.pattern.kind} ${EXAMPLE_CONCEPT.supercategory}`;
const BETAS = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const TAUS = [0.05, 0.1, 0.15, 0.3, 0.6];
const settings: SweepSettings = {
  prompts: sweepPrompts(EXAMPLE_CONCEPT.token, ['orange', 'red', 'black', 'white'], ['left', 'right', 'top', 'bottom', 'center']),
  seeds: [11, 12],
  steps: 25,
  guidanceScale: DEFAULT_MODEL_GUIDANCE,
  scheduler: 'ddim',
  patternColours: EXAMPLE_PATTERN_COLOURS,
};
const pipeline = await loadPipeline(resolveUserPath(values.model!));
const started = Date.now();
const sweep = async (file: string, label: string): Promise<TradeoffSeries[]> => {
  const concept = await readConcept(file);
  const run = async (beta: number, tau: number): Promise<SweepPoint> => {
    const point = await sweepPoint(pipeline, concept, beta, tau, settings);
    console.log(`${label} β ${beta} τ ${tau}: fidelity ${point.fidelity.toFixed(3)} alignment ${point.alignment.toFixed(3)} (background ${point.background.toFixed(2)}, place ${point.position.toFixed(2)})`);
    return point;
  };
  const byBeta: SweepPoint[] = [];
  for (const beta of BETAS) byBeta.push(await run(beta, 0.15));
  const byTau: SweepPoint[] = [];
  for (const tau of TAUS) byTau.push(await run(0.7, tau));
  return [
    { label: `${label}: β varies (τ 0.15)`, points: byBeta, varies: 'beta' },
    { label: `${label}: τ varies (β 0.7)`, points: byTau, varies: 'tau' },
  ];
};
const series = await sweep(resolveUserPath(values.concept!), 'keys locked');
if (values.ablation !== undefined) series.push(...(await sweep(resolveUserPath(values.ablation), 'keys trained (ablation)')));
// What words alone get: the world names stripes but never their colour.
const words = await wordsPoint(pipeline, EXAMPLE_CONCEPT.token, WORDS, settings);
console.log(`words "${WORDS}", no concept: fidelity ${words.fidelity.toFixed(3)} alignment ${words.alignment.toFixed(3)}`);
series.push({ label: `no concept, the words "${WORDS}"`, points: [words], varies: 'none' });

// One prompt across β: what the curve means in pictures.
const concept = await readConcept(resolveUserPath(values.concept!));
const strip: RgbImage[] = [];
for (const beta of BETAS) {
  const done = await lastValueFrom(pipeline.generate({ prompt: `a photo of a ${EXAMPLE_CONCEPT.token} on an orange background`, seed: 3, steps: 25, guidanceScale: 4, scheduler: 'ddim', concepts: [{ concept, beta, tau: 0.15 }] }));
  if (done.type === 'done') strip.push(done.images[0]!);
}
await pipeline.release();

const out = resolveUserPath(values.out!);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'tradeoff.png'), await tradeoffPlotPng(series, PLOT_TITLE));
fs.writeFileSync(path.join(out, 'tradeoff.json'), `${JSON.stringify({ settings: { ...settings, betas: BETAS, taus: TAUS }, series }, null, 1)}\n`);
fs.writeFileSync(path.join(out, 'beta-strip.png'), encodePng(tileImages(strip, strip.length)));
console.log(`wrote tradeoff.png, tradeoff.json, beta-strip.png to ${out} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
