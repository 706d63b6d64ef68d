import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '@perfusion/concept-format';
import { OnnxSession } from '@perfusion/onnx-graph';
import { Rng, type Tensor } from '@perfusion/tensor-core';
import { scoreAnalysis, type Scene } from '@perfusion/toyworld';
import {
  BaseTrainingError,
  BOX_WEIGHT_MARGIN,
  contrastFactor,
  curriculumScene,
  GENERATED_LATENT_SHARE,
  GENERATED_SEED_BASE,
  generatedLatentsFile,
  generateLatents,
  isHeldOut,
  latentContrastFactor,
  latentDecoderStage,
  layoutRight,
  lowContrastPairs,
  objectBoxWeights,
  OBJECT_PIXEL_WEIGHT,
  randomImageBatch,
  readGeneratedLatents,
  scenesToPixels,
  seedStagesFromModel,
  STAGE_SETTINGS,
  TOY_MODEL_DIR,
  writeGeneratedLatents,
  type GeneratedLatents,
} from '../src/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-generated-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const LATENT = 4 * 16 * 16;
const scene = (shape: 'star' | 'circle', position: 'left' | 'center'): Scene => ({ background: 'blue', objects: [{ shape, colour: 'yellow', size: 'small', position }] });

/** A pool of `n` hand-made entries whose latent values are their index, so a batch shows which it drew. */
function handMadePool(n: number): GeneratedLatents {
  const latents = new Float32Array(n * LATENT);
  for (let i = 0; i < n; i++) latents.fill(1000 + i, i * LATENT, (i + 1) * LATENT);
  return { scenes: Array.from({ length: n }, (_, i) => scene(i % 2 === 0 ? 'star' : 'circle', 'center')), latents, seeds: Array.from({ length: n }, (_, i) => 7 + i), source: { note: 'test' } };
}

describe('layoutRight', () => {
  it('accepts a picture whose only fault is the shape, and refuses a misplaced or miscoloured object', () => {
    const want = scene('star', 'center');
    const found = (over: object) => ({ background: 'blue' as const, objects: [{ shape: 'star' as const, colour: 'yellow' as const, size: 'small' as const, position: 'center' as const, ...over }] });
    const score = (over: object) => scoreAnalysis(found(over) as never, want);
    expect(layoutRight(score({}))).toBe(true);
    expect(layoutRight(score({ shape: 'diamond' }))).toBe(true);
    expect(layoutRight(score({ position: 'left' }))).toBe(false);
    expect(layoutRight(score({ colour: 'red' }))).toBe(false);
    expect(layoutRight(scoreAnalysis({ background: 'blue', objects: [] } as never, want))).toBe(false);
  });
});

describe('a pool of generated latents', () => {
  it('round-trips through its file', async () => {
    const file = path.join(root, 'pool', 'decoder', 'generated-latents.safetensors');
    const pool = handMadePool(3);
    await writeGeneratedLatents(file, pool);
    const back = readGeneratedLatents(file);
    expect(back.scenes).toEqual(pool.scenes);
    expect(back.seeds).toEqual(pool.seeds);
    expect(back.source).toEqual(pool.source);
    expect(back.latents).toEqual(pool.latents);
  });

  it('refuses a missing file, a file of another kind and latents of the wrong shape, saying what to do', async () => {
    expect(() => readGeneratedLatents(path.join(root, 'absent.safetensors'))).toThrow(/npm run generate-latents/);
    const other = path.join(root, 'other.safetensors');
    fs.copyFileSync(path.join(TOY_MODEL_DIR, '..', 'concepts', fs.readdirSync(path.join(TOY_MODEL_DIR, '..', 'concepts')).find((f) => f.endsWith('.safetensors'))!), other);
    expect(() => readGeneratedLatents(other)).toThrow(BaseTrainingError);
    expect(() => readGeneratedLatents(other)).toThrow(/not a pool of generated latents/);
    const short = path.join(root, 'short.safetensors');
    const two = handMadePool(2).latents;
    const scenes = JSON.stringify([scene('star', 'center'), scene('circle', 'center'), scene('circle', 'left')]);
    const metadata = { format: 'perfusion-toymodel-generated-latents', scenes, seeds: '[1, 2, 3]', source: '{}' };
    fs.writeFileSync(short, writeSafetensors([['latents', { dtype: 'F32', shape: [2, 4, 16, 16], bytes: new Uint8Array(two.buffer) }]], metadata));
    expect(() => readGeneratedLatents(short)).toThrow(/expected F32 latents \[3, 4, 16, 16\]/);
  });

  it('is drawn by the model itself from training scenes, at seeds far from the evaluator’s', async () => {
    const pool = await generateLatents(TOY_MODEL_DIR, { count: 3, seed: 5 });
    expect(pool.scenes.length).toBeGreaterThan(0);
    expect(pool.latents.length).toBe(pool.scenes.length * LATENT);
    for (const s of pool.scenes) for (const o of s.objects) expect(isHeldOut(o.shape, o.colour, s.background)).toBe(false);
    for (const seed of pool.seeds) expect(seed).toBeGreaterThanOrEqual(GENERATED_SEED_BASE);
    expect(pool.latents.some((v) => v !== 0)).toBe(true);
  }, 120_000);
});

describe('the decoder stage on latents', () => {
  it('feeds encoder latents only before generatedLatentsFrom, then half the batch from the pool with its scenes’ pictures', async () => {
    const work = path.join(root, 'work');
    await seedStagesFromModel(TOY_MODEL_DIR, work, 'decoder', STAGE_SETTINGS.decoder);
    const pool = handMadePool(4);
    await writeGeneratedLatents(generatedLatentsFile(path.join(work, 'decoder')), pool);
    const curriculum = { ...STAGE_SETTINGS.decoder, generatedLatentsFrom: 10 };
    const stage = await latentDecoderStage(path.join(work, 'autoencoder'), path.join(work, 'decoder'), curriculum);
    const drawnFromPool = (feeds: Record<string, Tensor>): number[] => {
      const latents = feeds['latent_sample']!.data as Float32Array;
      return Array.from({ length: latents.length / LATENT }, (_, n) => latents[n * LATENT]!).filter((v) => v >= 1000).map((v) => v - 1000);
    };
    const before = await stage.batch(new Rng(1).fork(9), 8, 9);
    expect(Object.keys(before).sort()).toEqual(['image', 'latent_sample', 'pixel_weights']);
    expect(before['latent_sample']!.shape).toEqual([8, 4, 16, 16]);
    expect(before['image']!.shape).toEqual([8, 3, 64, 64]);
    expect(drawnFromPool(before)).toEqual([]);
    const after = await stage.batch(new Rng(1).fork(10), 8, 10);
    const picked = drawnFromPool(after);
    expect(picked.length).toBe(8 * GENERATED_LATENT_SHARE);
    // Each pooled latent comes with the picture of its own scene.
    const images = after['image']!.data as Float32Array;
    const plane = 3 * 64 * 64;
    picked.forEach((i, k) => {
      const own = scenesToPixels([pool.scenes[i]!]).data as Float32Array;
      expect(images.subarray((8 - picked.length + k) * plane, (8 - picked.length + k + 1) * plane)).toEqual(own);
    });
    expect(stage.graph.parameters.every((p) => p.name.startsWith('vae_decoder'))).toBe(true);
    await writeGeneratedLatents(generatedLatentsFile(path.join(work, 'decoder')), { scenes: [], latents: new Float32Array(0), seeds: [], source: {} });
    await expect(latentDecoderStage(path.join(work, 'autoencoder'), path.join(work, 'decoder'), curriculum)).rejects.toThrow(/holds no latents/);
  }, 120_000);

  it('draws low-contrast scenes from lowContrastScenesFrom and weighs boxes by latent contrast from latentContrastFrom, both measured on the frozen encoder', async () => {
    const work = path.join(root, 'work-low-contrast');
    await seedStagesFromModel(TOY_MODEL_DIR, work, 'decoder', STAGE_SETTINGS.decoder);
    await writeGeneratedLatents(generatedLatentsFile(path.join(work, 'decoder')), handMadePool(4));
    // No patterns and no pooled latents yet, so every picture is a curriculum scene as drawn.
    const curriculum = { generatedLatentsFrom: 100, lowContrastScenesFrom: 10, boxWeightFrom: 0, contrastWeightFrom: 0, latentContrastFrom: 10 };
    const stage = await latentDecoderStage(path.join(work, 'autoencoder'), path.join(work, 'decoder'), curriculum);
    const encoder = await OnnxSession.create(path.join(TOY_MODEL_DIR, 'vae_encoder', 'model.onnx'));
    const factor = await latentContrastFactor(encoder);
    await encoder.release();
    const scenes = (step: number, options: Parameters<typeof curriculumScene>[1]) => randomImageBatch(new Rng(1).fork(step).fork('images'), 8, (r) => curriculumScene(r, options)).scenes;
    const drawn = (step: number, options: Parameters<typeof curriculumScene>[1]): Float32Array => scenesToPixels(scenes(step, options)).data as Float32Array;
    const before = await stage.batch(new Rng(1).fork(9), 8, 9);
    expect(before['image']!.data).toEqual(drawn(9, {}));
    // RGB contrast weights before latentContrastFrom, the encoder's from it on.
    expect(before['pixel_weights']!.data).toEqual(objectBoxWeights(scenes(9, {}), OBJECT_PIXEL_WEIGHT, BOX_WEIGHT_MARGIN, 1, contrastFactor).data);
    const after = await stage.batch(new Rng(1).fork(10), 8, 10);
    const lowContrast = { lowContrastPairs: lowContrastPairs(factor) };
    expect(after['image']!.data).toEqual(drawn(10, lowContrast));
    expect(after['image']!.data).not.toEqual(drawn(10, {}));
    expect(after['pixel_weights']!.data).toEqual(objectBoxWeights(scenes(10, lowContrast), OBJECT_PIXEL_WEIGHT, BOX_WEIGHT_MARGIN, 1, factor).data);
  }, 120_000);
});
