/**
 * How long teaching the toy model the example concept takes on this machine, and how that compares
 * with generating one picture (both measured in this run):
 *   npm run bench:toy-concept -w @perfusion/bench -- [--steps N] [--keys locked|trained]
 * Trains `<striped-star>` from its five rendered pictures and masks, in its own prompt templates,
 * with the trainer's defaults otherwise (batch 16, learning rates 0.03 / 0.006) on the committed
 * toy model, in a temporary folder.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPipeline } from '@perfusion/pipeline';
import { EXAMPLE_CONCEPT, TOY_MODEL_DIR, writeExampleConceptImages } from '@perfusion/toymodel';
import { ConceptTrainer, type TrainingEvent } from '@perfusion/trainer';
import { lastValueFrom } from 'rxjs';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '400' }, keys: { type: 'string', default: 'locked' } } });
const steps = Number(values.steps);
const keys = values.keys === 'trained' ? 'trained' : 'locked';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-toy-concept-'));
try {
  const images = path.join(work, 'images');
  writeExampleConceptImages(images);

  const pipeline = await loadPipeline(TOY_MODEL_DIR);
  const generate = () => lastValueFrom(pipeline.generate({ prompt: 'a large red star in the center, blue background', seed: 1, steps: 25, scheduler: 'ddim' }));
  await generate(); // warm-up
  const generationStart = performance.now();
  for (let i = 0; i < 3; i++) await generate();
  const generationSeconds = (performance.now() - generationStart) / 3000;
  await pipeline.release();

  const loadStart = performance.now();
  const trainer = await ConceptTrainer.load(TOY_MODEL_DIR);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const trainStart = performance.now();
  let firstStepAt: number | undefined;
  let lastLoss = Number.NaN;
  await new Promise<void>((resolve, reject) => {
    trainer
      .train({
        images,
        token: EXAMPLE_CONCEPT.token,
        supercategory: EXAMPLE_CONCEPT.supercategory,
        templates: EXAMPLE_CONCEPT.templates,
        valueLearningRate: EXAMPLE_CONCEPT.valueLearningRate,
        steps,
        keys,
        sampleEvery: 0,
        out: path.join(work, 'concept.safetensors'),
      })
      .subscribe({
        next: (event: TrainingEvent) => {
          if (event.type === 'step') {
            firstStepAt ??= performance.now();
            lastLoss = event.loss;
          }
        },
        error: reject,
        complete: resolve,
      });
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const stepSeconds = (performance.now() - firstStepAt!) / 1000 / Math.max(1, steps - 1);
  await trainer.release();
  console.log(`toy concept training, keys ${keys}, ${steps} steps of batch 16 (${os.cpus().length} CPUs: ${os.cpus()[0]?.model})`);
  console.log(`  load trainer (graphs built or taken from the cache): ${loadSeconds.toFixed(1)} s`);
  console.log(`  train: ${trainSeconds.toFixed(1)} s in all (${(trainSeconds / 60).toFixed(2)} min), ${stepSeconds.toFixed(3)} s per step after the first; final loss ${lastLoss.toFixed(4)}`);
  console.log(`  one 25-step DDIM generation (64×64, guidance on): ${generationSeconds.toFixed(3)} s`);
  console.log(`  ratios: one training step = ${(stepSeconds / generationSeconds).toFixed(2)} generations; the whole run = ${(trainSeconds / generationSeconds).toFixed(0)} generations`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
