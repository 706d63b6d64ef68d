import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorFromProto, TensorProto_DataType } from '@perfusion/onnx-graph';
import {
  BaseTrainingError,
  checkpointFile,
  checkpointFromModel,
  loadTrainedEncoder,
  readStageCheckpoint,
  seedStagesFromModel,
  STAGE_SETTINGS,
  TOY_MODEL_DIR,
  trainedNetwork,
  writeToyModel,
} from '../src/index.js';
import { networkWeights } from './network-weights.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-seed-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const recordedSteps = (JSON.parse(fs.readFileSync(path.join(TOY_MODEL_DIR, 'model_index.json'), 'utf8')) as { perfusion_toy_model: { trained_steps: Record<string, number> } })
  .perfusion_toy_model.trained_steps;

describe('checkpointFromModel', () => {
  it('holds the committed model’s weights at its recorded step, with the optimiser restarted there', () => {
    const checkpoint = checkpointFromModel(TOY_MODEL_DIR, 'diffusion', STAGE_SETTINGS.diffusion);
    expect(checkpoint.step).toBe(recordedSteps['diffusion']);
    expect(checkpoint.restartedAt).toBe(checkpoint.step);
    for (const component of ['unet', 'text_encoder'] as const) {
      // Exported again from the seeded checkpoint, every weight comes back bit for bit.
      const again = trainedNetwork(checkpoint, component, 'seeded').graph!.initializer.filter((i) => i.dataType === TensorProto_DataType.FLOAT);
      const original = networkWeights(TOY_MODEL_DIR, component);
      expect(again.length).toBe(original.size);
      for (const init of again) expect(Buffer.from((tensorFromProto(init).data as Float32Array).buffer).equals(Buffer.from(original.get(init.name)!.buffer)), init.name).toBe(true);
    }
    for (const { m, v } of checkpoint.moments.values()) expect(m.every((x) => x === 0) && v.every((x) => x === 0)).toBe(true);
  });

  it('refuses a folder that records no training steps, saying what to pass', () => {
    const dir = path.join(root, 'not-toy');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model_index.json'), '{"_class_name": "OnnxStableDiffusionPipeline"}');
    expect(() => checkpointFromModel(dir, 'diffusion', STAGE_SETTINGS.diffusion)).toThrow(BaseTrainingError);
    expect(() => checkpointFromModel(dir, 'diffusion', STAGE_SETTINGS.diffusion)).toThrow(/records no trained steps/);
    expect(() => checkpointFromModel(path.join(root, 'absent'), 'diffusion', STAGE_SETTINGS.diffusion)).toThrow(/not a model folder/);
  });
});

describe('seedStagesFromModel', () => {
  const read = (work: string, stage: string) => readStageCheckpoint(checkpointFile(path.join(work, stage)))!;
  // The committed model seeded into a work folder once, with its encoder's latent scale: the round
  // trip and the decoder-stage folder below build on the same checkpoints.
  let committed: Promise<{ work: string; seeded: string[]; scalingFactor: number }> | undefined;
  const seededCommitted = () =>
    (committed ??= (async () => {
      const work = path.join(root, 'round-trip');
      const seeded = await seedStagesFromModel(TOY_MODEL_DIR, work, 'diffusion', STAGE_SETTINGS.diffusion);
      const encoder = await loadTrainedEncoder(path.join(work, 'autoencoder'), path.join(work, 'diffusion'));
      await encoder.session.release();
      return { work, seeded, scalingFactor: encoder.scalingFactor };
    })());

  it('writes the checkpoints of every stage the folder records that are missing, and leaves existing ones alone', async () => {
    const work = path.join(root, 'work');
    const settings = { ...STAGE_SETTINGS.autoencoder, steps: 3000 };
    fs.mkdirSync(path.join(work, 'diffusion'), { recursive: true });
    fs.writeFileSync(checkpointFile(path.join(work, 'diffusion')), 'kept as it is');
    // The committed model's decoder is its autoencoder stage's: it records no decoder stage to seed.
    expect(recordedSteps['decoder']).toBeUndefined();
    expect(await seedStagesFromModel(TOY_MODEL_DIR, work, 'autoencoder', settings)).toEqual(['autoencoder']);
    expect(fs.readFileSync(checkpointFile(path.join(work, 'diffusion')), 'utf8')).toBe('kept as it is');
    expect(fs.existsSync(checkpointFile(path.join(work, 'decoder')))).toBe(false);
    const autoencoder = read(work, 'autoencoder');
    expect(autoencoder.step).toBe(recordedSteps['autoencoder']);
    expect(autoencoder.restartedAt).toBe(recordedSteps['autoencoder']);
    expect(autoencoder.settings).toEqual(settings);
    expect(new Set([...autoencoder.weights.keys()].map((name) => name.split('/')[0]))).toEqual(new Set(['vae_encoder', 'vae_decoder']));
    expect(await seedStagesFromModel(TOY_MODEL_DIR, work, 'autoencoder', settings)).toEqual([]);
  });

  it('seeds a work folder whose export is the committed model, byte for byte', async () => {
    const { work, seeded, scalingFactor } = await seededCommitted();
    expect(seeded).toEqual(['autoencoder', 'diffusion']);
    const out = path.join(root, 'exported');
    await writeToyModel(out, { autoencoder: read(work, 'autoencoder'), diffusion: read(work, 'diffusion'), scalingFactor });
    // Hidden folders hold caches that generation writes beside a model (.perfusion-cache), not the model.
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => !f.split(path.sep).some((part) => part.startsWith('.')) && fs.statSync(path.join(dir, f)).isFile())
        .sort();
    expect(files(out)).toEqual(files(TOY_MODEL_DIR));
    for (const file of files(TOY_MODEL_DIR)) {
      expect(fs.readFileSync(path.join(out, file)).equals(fs.readFileSync(path.join(TOY_MODEL_DIR, file))), file).toBe(true);
    }
  });

  it('seeds the decoder stage of a folder that records one, with the run’s settings, and its decoder alone', async () => {
    const { work, scalingFactor } = await seededCommitted();
    const autoencoder = read(work, 'autoencoder');
    // A folder as the decoder stage's export writes it: the decoder from a checkpoint of its own, at a step of its own.
    const decoderOnly = new Map([...autoencoder.average].filter(([name]) => name.startsWith('vae_decoder/')));
    const folder = path.join(root, 'decoder-folder');
    await writeToyModel(folder, {
      autoencoder,
      decoder: { ...autoencoder, step: 777, restartedAt: 777, weights: decoderOnly, average: decoderOnly },
      diffusion: read(work, 'diffusion'),
      scalingFactor,
    });
    const again = path.join(root, 'with-decoder-again');
    const settings = { ...STAGE_SETTINGS.decoder, steps: 900 };
    expect(await seedStagesFromModel(folder, again, 'decoder', settings)).toEqual(['autoencoder', 'decoder', 'diffusion']);
    const decoder = read(again, 'decoder');
    expect(decoder.step).toBe(777);
    expect(decoder.restartedAt).toBe(777);
    expect(decoder.settings).toEqual(settings);
    expect([...decoder.weights.keys()].every((name) => name.startsWith('vae_decoder/'))).toBe(true);
    expect(read(again, 'autoencoder').settings).toEqual(STAGE_SETTINGS.autoencoder);
  });
});
