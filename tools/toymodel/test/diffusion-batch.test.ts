import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import type { Scene } from '@perfusion/toyworld';
import { contrastFactor, diffusionStage, initialNetwork, latentContrastFactor, lowContrastPairs, MID_NOISE_SHARE, MID_NOISE_TIMESTEPS, OBJECT_CELL_WEIGHT, objectCellWeights, randomImageBatch, sampleTimestep, trainingScene, type TrainedEncoder } from '../src/index.js';

// The untrained toy encoder stands in for the trained one: the batch's shapes and weights do not depend on its weights.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-diffusion-batch-'));
let encoder: TrainedEncoder;

beforeAll(async () => {
  const file = path.join(dir, 'vae_encoder.onnx');
  await writeModel(initialNetwork('vae_encoder'), file);
  encoder = { session: await OnnxSession.create(file), scalingFactor: 1 };
}, 60_000);

afterAll(async () => {
  await encoder?.session.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the diffusion stage’s batches', () => {
  it('weigh every latent cell 1 before objectWeightFrom and the cells around objects up from it on', async () => {
    const stage = diffusionStage(encoder, { objectWeightFrom: 5 });
    const before = await stage.batch(new Rng(1).fork(4), 3, 4);
    const after = await stage.batch(new Rng(1).fork(5), 3, 5);
    expect(before['cell_weights']!.shape).toEqual([3, 1, 16, 16]);
    expect(new Set(before['cell_weights']!.data as Float32Array)).toEqual(new Set([1]));
    expect(new Set(after['cell_weights']!.data as Float32Array)).toEqual(new Set([1, OBJECT_CELL_WEIGHT]));
    expect(Object.keys(after).sort()).toEqual(['cell_weights', 'input_ids', 'sample', 'target', 'timestep']);
  }, 120_000);

  it('weigh objects by RGB contrast from contrastWeightFrom and by latent contrast from latentContrastFrom, the samples unchanged', async () => {
    const curriculum = { objectWeightFrom: 0, contrastWeightFrom: 0, latentContrastFrom: 5 };
    const stage = diffusionStage(encoder, curriculum);
    const rgbOnly = diffusionStage(encoder, { objectWeightFrom: 0, contrastWeightFrom: 0 });
    // The scenes a batch of step 5 drew, as the stage draws them (no curriculum scenes switched on here).
    const { scenes } = randomImageBatch(new Rng(1).fork(5).fork('images'), 6, (r) => trainingScene(r, {}));
    const before = await stage.batch(new Rng(1).fork(5), 6, 4);
    const after = await stage.batch(new Rng(1).fork(5), 6, 5);
    const weights = (factor?: typeof contrastFactor): Float32Array => objectCellWeights(scenes, 16, OBJECT_CELL_WEIGHT, 1, factor).data as Float32Array;
    expect(before['cell_weights']!.data).toEqual(weights(contrastFactor));
    expect(after['cell_weights']!.data).toEqual(weights(await latentContrastFactor(encoder.session)));
    expect(after['cell_weights']!.data).not.toEqual(before['cell_weights']!.data);
    expect(after['sample']!.data).toEqual((await rgbOnly.batch(new Rng(1).fork(5), 6, 5))['sample']!.data);
  }, 120_000);

  it('draw low-contrast scenes from lowContrastScenesFrom, with the pairs the encoder puts close', async () => {
    const stage = diffusionStage(encoder, { objectWeightFrom: 0, lowContrastScenesFrom: 5 });
    const pairs = lowContrastPairs(await latentContrastFactor(encoder.session));
    // Cell weights follow the objects, so they tell which scenes a batch drew.
    const drawn = (options: { lowContrastPairs?: typeof pairs }): Float32Array =>
      objectCellWeights(randomImageBatch(new Rng(2).fork(5).fork('images'), 12, (r) => trainingScene(r, options)).scenes, 16, OBJECT_CELL_WEIGHT).data as Float32Array;
    const before = (await stage.batch(new Rng(2).fork(5), 12, 4))['cell_weights']!.data;
    const after = (await stage.batch(new Rng(2).fork(5), 12, 5))['cell_weights']!.data;
    expect(before).toEqual(drawn({}));
    expect(after).toEqual(drawn({ lowContrastPairs: pairs }));
    expect(after).not.toEqual(before);
  }, 120_000);
});

describe('sampleTimestep', () => {
  const small: Scene = { background: 'blue', objects: [{ shape: 'diamond', colour: 'red', size: 'small', position: 'left' }] };
  const mixed: Scene = { background: 'blue', objects: [{ shape: 'diamond', colour: 'red', size: 'small', position: 'left' }, { shape: 'star', colour: 'green', size: 'large', position: 'right' }] };
  const draw = (scene: Scene, midNoise: boolean, n = 4000): number[] => {
    const pick = new Rng(7).fork('timesteps');
    const choose = new Rng(7).fork('mid-noise');
    return Array.from({ length: n }, () => sampleTimestep(pick, choose, 1000, scene, midNoise));
  };
  const inBand = (ts: number[]): number => ts.filter((t) => t >= MID_NOISE_TIMESTEPS[0] && t < MID_NOISE_TIMESTEPS[1]).length / ts.length;

  it('draws uniformly over the schedule when off, and for scenes with a large object when on', () => {
    const pick = new Rng(7).fork('timesteps');
    const uniform = Array.from({ length: 4000 }, () => Math.floor(pick.uniform() * 1000));
    expect(draw(small, false)).toEqual(uniform);
    expect(draw(mixed, true)).toEqual(uniform);
  });

  it('draws half of a small-only scene’s timesteps from the middle band when on', () => {
    const ts = draw(small, true);
    const band = (MID_NOISE_TIMESTEPS[1] - MID_NOISE_TIMESTEPS[0]) / 1000;
    // A share MID_NOISE_SHARE from the band, the rest uniform (of which `band` falls in it too).
    expect(inBand(ts)).toBeCloseTo(MID_NOISE_SHARE + (1 - MID_NOISE_SHARE) * band, 1);
    expect(inBand(draw(small, false))).toBeCloseTo(band, 1);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ts)).toBeLessThan(1000);
  });
});

describe('the diffusion stage’s mid-noise switch', () => {
  it('changes nothing before midNoiseFrom, and from it on only small-only scenes’ timesteps', async () => {
    const plain = await diffusionStage(encoder, { lookalikeShapesFrom: 0 }).batch(new Rng(3).fork(4), 8, 4);
    const ahead = await diffusionStage(encoder, { lookalikeShapesFrom: 0, midNoiseFrom: 5 }).batch(new Rng(3).fork(4), 8, 4);
    expect(Array.from(ahead['timestep']!.data as BigInt64Array)).toEqual(Array.from(plain['timestep']!.data as BigInt64Array));
    expect(Array.from(ahead['sample']!.data as Float32Array)).toEqual(Array.from(plain['sample']!.data as Float32Array));
    // From the switch's step on, the small-only scenes' timesteps move (this batch holds some) and nothing else does.
    const on = await diffusionStage(encoder, { lookalikeShapesFrom: 0, midNoiseFrom: 4 }).batch(new Rng(3).fork(4), 8, 4);
    const before = Array.from(plain['timestep']!.data as BigInt64Array);
    const after = Array.from(on['timestep']!.data as BigInt64Array);
    expect(after).not.toEqual(before);
    expect(Array.from(on['input_ids']!.data as Int32Array)).toEqual(Array.from(plain['input_ids']!.data as Int32Array));
    for (const t of after.filter((t, i) => t !== before[i])) {
      expect(Number(t)).toBeGreaterThanOrEqual(MID_NOISE_TIMESTEPS[0]);
      expect(Number(t)).toBeLessThan(MID_NOISE_TIMESTEPS[1]);
    }
  }, 120_000);
});
