import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnxPipelineIndexJson, stableJson, textEncoderConfigJson, unetConfigJson, vaeConfigJson, writeFolderAtomically } from '@perfusion/fixtures';
import { writeModel } from '@perfusion/onnx-graph';
import { TOY_TEXT_ENCODER, TOY_UNET, TOY_VAE, toySchedulerConfig } from '../architecture.js';
import { trainedNetwork } from '../graphs/with-weights.js';
import type { StageCheckpoint } from '../training/checkpoint.js';
import { toyTokenizer } from '../tokenizer/toy-tokenizer.js';

/** What {@link writeToyModel} packs into a model folder. */
export interface ToyModelSources {
  readonly autoencoder: StageCheckpoint;
  /** The decoder stage's checkpoint, whose decoder replaces the autoencoder stage's when given. */
  readonly decoder?: StageCheckpoint;
  readonly diffusion: StageCheckpoint;
  /** SD's latent scale measured on the trained encoder. */
  readonly scalingFactor: number;
}

/**
 * Writes the trained toy model as a standard model folder (the layout `generateModelFolder`
 * writes and the pipeline reads): `model_index.json`, `scheduler/`, `tokenizer/` and the four
 * networks with the checkpoints' averaged weights. Written next to `outDir` and renamed into
 * place, replacing an older folder.
 */
export async function writeToyModel(outDir: string, sources: ToyModelSources): Promise<void> {
  const tokenizer = toyTokenizer();
  const { startId, endId } = tokenizer.encoder;
  const vae = vaeConfigJson({ ...TOY_VAE, scalingFactor: Number(sources.scalingFactor.toPrecision(6)) });
  const trainedSteps = { autoencoder: sources.autoencoder.step, ...(sources.decoder && { decoder: sources.decoder.step }), diffusion: sources.diffusion.step };
  const texts: [string, string][] = [
    ['model_index.json', stableJson(modelIndex(trainedSteps))],
    ['scheduler/scheduler_config.json', stableJson(toySchedulerConfig())],
    ...[...tokenizer.files].map(([name, text]): [string, string] => [`tokenizer/${name}`, text]),
    ['text_encoder/config.json', stableJson(textEncoderConfigJson(TOY_TEXT_ENCODER, 'float32', { bos: startId, eos: endId, pad: endId }))],
    ['unet/config.json', stableJson(unetConfigJson(TOY_UNET))],
    ['vae_encoder/config.json', stableJson(vae)],
    ['vae_decoder/config.json', stableJson(vae)],
  ];
  const networks = [
    ['text_encoder', sources.diffusion],
    ['unet', sources.diffusion],
    ['vae_encoder', sources.autoencoder],
    ['vae_decoder', sources.decoder ?? sources.autoencoder],
  ] as const;
  await writeFolderAtomically(path.resolve(outDir), true, async (temp) => {
    for (const [file, text] of texts) {
      fs.mkdirSync(path.dirname(path.join(temp, file)), { recursive: true });
      fs.writeFileSync(path.join(temp, file), text);
    }
    for (const [component, checkpoint] of networks) {
      const model = trainedNetwork(checkpoint, component, `the ${component} checkpoint`);
      fs.mkdirSync(path.join(temp, component), { recursive: true });
      await writeModel(model, path.join(temp, component, 'model.onnx'));
    }
  });
}

function modelIndex(trainedSteps: Record<string, number>): Record<string, unknown> {
  const provenance = { perfusion_toy_model: { generator: '@perfusion/toymodel', trained_steps: trainedSteps, world: '@perfusion/toyworld' } };
  return onnxPipelineIndexJson(provenance, String(toySchedulerConfig()['_class_name']));
}
