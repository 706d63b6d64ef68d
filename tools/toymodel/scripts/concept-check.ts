/**
 * The quick check of the example concept on a base model, the figure docs/toy-model.md quotes for
 * every longer-trained denoiser ("the 10-prompt check"): locked fidelity and alignment at β 0.5, 0.7
 * and 0.9 (τ 0.15) on "a photo of a <striped-star> …" over orange and black backgrounds × five
 * places, seed 11, DDIM 25 at the model's guidance. About 20 s; the full sweep is `concept-sweep`.
 *   npm run concept-check -w @perfusion/toymodel -- [--model DIR] [--concept FILE] [--beta B ...]
 * `--beta` (repeatable) checks other gates than 0.5, 0.7 and 0.9, e.g. to find where a concept on
 * another base model peaks: the figures of different models compare at the same β only.
 * Retrain the concept on the model first (the command in docs/toy-model.md): a concept file only
 * loads on the base model it was trained for.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readConcept } from '@perfusion/concept-format';
import { loadPipeline } from '@perfusion/pipeline';
import { EXAMPLE_CONCEPT, EXAMPLE_PATTERN_COLOURS } from '../src/concept/example-concept.js';
import { sweepPoint, sweepPrompts, type SweepSettings } from '../src/concept/tradeoff-sweep.js';
import { DEFAULT_MODEL_GUIDANCE } from '../src/default-model.js';
import { TOY_CONCEPTS_DIR, TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_MODEL_DIR },
    concept: { type: 'string', default: path.join(TOY_CONCEPTS_DIR, EXAMPLE_CONCEPT.file) },
    beta: { type: 'string', multiple: true, default: ['0.5', '0.7', '0.9'] },
  },
});
const betas = values.beta!.map((text) => {
  const beta = Number(text);
  if (!Number.isFinite(beta) || beta < 0 || beta > 1) throw new Error(`concept-check: --beta ${text} is not a gate in [0, 1]; give a number such as 0.5.`);
  return beta;
});
const modelDir = resolveUserPath(values.model!);
const conceptFile = resolveUserPath(values.concept!);
const settings: SweepSettings = {
  prompts: sweepPrompts(EXAMPLE_CONCEPT.token, ['orange', 'black'], ['left', 'right', 'top', 'bottom', 'center']),
  seeds: [11],
  steps: 25,
  guidanceScale: DEFAULT_MODEL_GUIDANCE,
  scheduler: 'ddim',
  patternColours: EXAMPLE_PATTERN_COLOURS,
};
const pipeline = await loadPipeline(modelDir);
try {
  const concept = await readConcept(conceptFile);
  const points: string[] = [];
  for (const beta of betas) {
    const point = await sweepPoint(pipeline, concept, beta, 0.15, settings);
    points.push(`β ${beta}: fidelity ${point.fidelity.toFixed(2)}, alignment ${point.alignment.toFixed(2)}`);
  }
  console.log(`${EXAMPLE_CONCEPT.token} on ${modelDir} (${settings.prompts.length} prompts, seed 11, τ 0.15)\n  ${points.join('\n  ')}`);
} finally {
  await pipeline.release();
}
