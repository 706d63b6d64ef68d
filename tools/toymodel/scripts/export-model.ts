/**
 * Packs the trained toy model into a model folder (default: the committed tools/toymodel/model):
 *   npm run export-model -w @perfusion/toymodel -- [--work DIR] [--out DIR]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeToyModel } from '../src/export/write-toy-model.js';
import { readStageCheckpoint } from '../src/training/checkpoint.js';
import { loadTrainedEncoder } from '../src/training/stages.js';
import { checkpointFile } from '../src/training/train-stage.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    work: { type: 'string', default: path.resolve(import.meta.dirname, '../.work') },
    out: { type: 'string', default: path.resolve(import.meta.dirname, '../model') },
  },
});
const work = resolveUserPath(values.work!);
const read = (stage: string) => {
  const checkpoint = readStageCheckpoint(checkpointFile(path.join(work, stage)));
  if (!checkpoint) throw new Error(`No ${stage} checkpoint in ${path.join(work, stage)}; train it first (npm run train-base).`);
  return checkpoint;
};
const encoder = await loadTrainedEncoder(path.join(work, 'autoencoder'), path.join(work, 'diffusion'));
await encoder.session.release();
// The decoder stage is optional: without it the autoencoder stage's decoder is exported.
const decoder = readStageCheckpoint(checkpointFile(path.join(work, 'decoder')));
const out = resolveUserPath(values.out!);
const [autoencoder, diffusion] = [read('autoencoder'), read('diffusion')];
await writeToyModel(out, { autoencoder, ...(decoder && { decoder }), diffusion, scalingFactor: encoder.scalingFactor });
// Every stage's step is printed: a work folder assembled by hand (a stage copied in from another run) shows what it holds.
console.log(
  `wrote ${out} (latent scale ${encoder.scalingFactor.toPrecision(6)}; autoencoder step ${autoencoder.step}, ` +
    `denoiser step ${diffusion.step}, decoder from the ${decoder ? `decoder stage, step ${decoder.step}` : 'autoencoder stage'})`,
);
