import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelSync, tensorFromProto, TensorProto_DataType } from '@perfusion/onnx-graph';
import { BaseTrainingError } from '../errors.js';
import type { ToyComponent } from '../graphs/training-graphs.js';
import { writeStageCheckpoint, type StageCheckpoint } from './checkpoint.js';
import { STAGE_SETTINGS, type BaseStageName } from './stage-settings.js';
import { checkpointFile, type StageSettings } from './train-stage.js';

/** The networks each stage trains, by model-folder component. */
export const STAGE_COMPONENTS: Readonly<Record<BaseStageName, readonly ToyComponent[]>> = {
  autoencoder: ['vae_encoder', 'vae_decoder'],
  decoder: ['vae_decoder'],
  diffusion: ['text_encoder', 'unet'],
};

/** The steps each stage had taken when the model folder was exported (its model_index.json). */
function trainedSteps(modelDir: string): Partial<Record<BaseStageName, number>> {
  const file = path.join(modelDir, 'model_index.json');
  if (!fs.existsSync(file)) throw new BaseTrainingError(`${modelDir} is not a model folder (no model_index.json); pass the toy model's folder, e.g. tools/toymodel/model.`);
  const index = JSON.parse(fs.readFileSync(file, 'utf8')) as { perfusion_toy_model?: { trained_steps?: Partial<Record<BaseStageName, number>> } };
  const steps = index.perfusion_toy_model?.trained_steps;
  if (!steps) throw new BaseTrainingError(`${file} records no trained steps (perfusion_toy_model.trained_steps): only a folder written by the toy model's export can seed training.`);
  return steps;
}

/** A component's float32 weights, keyed `<component>/<initializer>` as the training graphs name them. */
function modelComponentWeights(modelDir: string, component: ToyComponent): [string, Float32Array][] {
  const file = path.join(modelDir, component, 'model.onnx');
  if (!fs.existsSync(file)) throw new BaseTrainingError(`${modelDir} has no ${component}/model.onnx to seed training from.`);
  const model = readModelSync(file);
  return model.graph!.initializer
    .filter((init) => init.dataType === TensorProto_DataType.FLOAT)
    .map((init) => [`${component}/${init.name}`, new Float32Array(tensorFromProto(init, path.dirname(file)).data as Float32Array)]);
}

/**
 * A stage checkpoint holding a model folder's weights at the step the folder records for the stage:
 * the exported (averaged) weights as both the weights and their average, AdamW's moments zero and
 * `restartedAt` set to that step, so the optimiser warms up again as at a fresh start. A run
 * continued from it is not the run the folder came from (those moments are gone) but goes on from
 * the same weights, which is what a new checkout that holds only the committed model can do.
 */
export function checkpointFromModel(modelDir: string, stage: BaseStageName, settings: StageSettings): StageCheckpoint {
  const step = trainedSteps(modelDir)[stage];
  if (step === undefined) throw new BaseTrainingError(`${path.join(modelDir, 'model_index.json')} records no ${stage} stage; train that stage from scratch instead.`);
  const weights = new Map(STAGE_COMPONENTS[stage].flatMap((component) => modelComponentWeights(modelDir, component)));
  return {
    step,
    restartedAt: step,
    weights,
    average: new Map([...weights].map(([name, values]) => [name, new Float32Array(values)])),
    moments: new Map([...weights].map(([name, values]) => [name, { m: new Float64Array(values.length), v: new Float64Array(values.length) }])),
    losses: [],
    settings: settings as unknown as Record<string, unknown>,
  };
}

/**
 * Writes, for every stage the model folder records that has no checkpoint in `workDir`, one seeded
 * from the folder ({@link checkpointFromModel}); stages with a checkpoint are left alone. All of
 * them, not only those `stage` reads, so an export of the work folder rebuilds the folder's other
 * networks as they were (the decoder stage's decoder, where the folder has one, not the autoencoder
 * stage's; note that the seeded autoencoder checkpoint holds the folder's decoder too, whichever
 * stage trained it). A stage the folder does not record is not seeded: a run of it starts as a fresh
 * one does — for the decoder stage, from the autoencoder stage's decoder, which is what such a folder
 * ships. Returns the stages seeded. `settings` are the run's own for `stage`; the others get their committed ones.
 */
export async function seedStagesFromModel(modelDir: string, workDir: string, stage: BaseStageName, settings: StageSettings): Promise<BaseStageName[]> {
  const seeded: BaseStageName[] = [];
  const recorded = trainedSteps(modelDir);
  for (const needed of (Object.keys(STAGE_SETTINGS) as BaseStageName[]).filter((s) => recorded[s] !== undefined)) {
    const file = checkpointFile(path.join(workDir, needed));
    if (fs.existsSync(file)) continue;
    const checkpoint = checkpointFromModel(modelDir, needed, needed === stage ? settings : STAGE_SETTINGS[needed]);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writeStageCheckpoint(file, checkpoint);
    seeded.push(needed);
  }
  return seeded;
}
