import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVaeDecoder, buildVaeEncoder, presets } from '@perfusion/fixtures';
import { Rng } from '@perfusion/tensor-core';
import {
  autoencoderTrainingGraph,
  BaseTrainingError,
  checkpointFile,
  learningRateAt,
  normalTensor,
  objectPixelWeights,
  randomImageBatch,
  readStageCheckpoint,
  trainStage,
  writeStageCheckpoint,
  type StageDefinition,
  type StageSettings,
} from '../src/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-train-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The tiny fixture's VAE (64 px → 8×8 latents) as a stage: fresh initial weights on every call. */
function tinyAutoencoderStage(): StageDefinition {
  const vae = presets.tiny.vae;
  return {
    name: 'tiny-autoencoder',
    graph: autoencoderTrainingGraph(buildVaeEncoder(vae, { rng: new Rng(4) }), buildVaeDecoder(vae, { rng: new Rng(5) }), 1e-4),
    batch: (rng, batchSize) => {
      const { scenes, pixels } = randomImageBatch(rng.fork('images'), batchSize);
      return { sample: pixels, noise: normalTensor(rng.fork('noise'), [batchSize, 4, 8, 8]), pixel_weights: objectPixelWeights(scenes, 8) };
    },
  };
}

const settings: StageSettings = { seed: 1, batchSize: 4, learningRate: 3e-3, warmupSteps: 2, steps: 40, decaySteps: 10, weightDecay: 0.01, averageDecay: 0.9 };

describe('trainStage', () => {
  it('lowers the loss, and a run stopped and resumed ends with the bytes of an uninterrupted one', async () => {
    const whole = path.join(root, 'whole');
    const losses: number[] = [];
    const uninterrupted = await trainStage(tinyAutoencoderStage(), { workDir: whole, settings, checkpointEvery: 100, maxSteps: 30, onProgress: (p) => losses.push(p.loss) });
    expect(uninterrupted.step).toBe(30);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5))); // measured: 0.72 → 0.48;

    const split = path.join(root, 'split');
    await trainStage(tinyAutoencoderStage(), { workDir: split, settings, checkpointEvery: 100, maxSteps: 12 });
    expect(readStageCheckpoint(checkpointFile(split))!.step).toBe(12);
    const resumed = await trainStage(tinyAutoencoderStage(), { workDir: split, settings, checkpointEvery: 100, maxSteps: 18 });
    expect(resumed.step).toBe(30);
    for (const [name, values] of uninterrupted.weights) expect(Buffer.from(resumed.weights.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
    for (const [name, values] of uninterrupted.average) expect(Buffer.from(resumed.average.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
  });

  it('refuses to resume a checkpoint written with other settings, but lets a run grow longer', async () => {
    const dir = path.join(root, 'other');
    await trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 2 }, checkpointEvery: 100 });
    await expect(trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, learningRate: 1e-2 }, checkpointEvery: 100, maxSteps: 1 })).rejects.toThrow(BaseTrainingError);
    const extended = await trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 3, decaySteps: 1 }, checkpointEvery: 100 });
    expect(extended.step).toBe(3);
    await expect(trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 2 }, checkpointEvery: 100 })).rejects.toThrow(/past the 2 steps/);
  });

  it('lets patternsFrom move while it lies ahead of the checkpoint, never into steps already taken', async () => {
    const dir = path.join(root, 'patterns');
    const steps: number[] = [];
    const stage = tinyAutoencoderStage();
    const counting: StageDefinition = { ...stage, batch: (rng, batchSize, step) => (steps.push(step), stage.batch(rng, batchSize, step)) };
    await trainStage(counting, { workDir: dir, settings: { ...settings, steps: 2, patternsFrom: 10 }, checkpointEvery: 100 });
    expect(steps).toEqual([0, 1]);
    await trainStage(counting, { workDir: dir, settings: { ...settings, steps: 3, patternsFrom: 2 }, checkpointEvery: 100 });
    expect(steps).toEqual([0, 1, 2]);
    await expect(trainStage(counting, { workDir: dir, settings: { ...settings, steps: 4, patternsFrom: 1 }, checkpointEvery: 100 })).rejects.toThrow(/patternsFrom 1 would rewrite steps already taken/);
    await expect(trainStage(counting, { workDir: dir, settings: { ...settings, steps: 4 }, checkpointEvery: 100 })).rejects.toThrow(/move it to step 3 or later/);
  });

  it.each(['objectWeightFrom', 'boxWeightFrom', 'smallBoxWeightFrom'] as const)('treats %s as the same kind of switch: movable ahead of the checkpoint only', async (key) => {
    const dir = path.join(root, key);
    await trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 2 }, checkpointEvery: 100 });
    const resumed = await trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 3, [key]: 2 }, checkpointEvery: 100 });
    expect(resumed.step).toBe(3);
    await expect(trainStage(tinyAutoencoderStage(), { workDir: dir, settings: { ...settings, steps: 4, [key]: 1 }, checkpointEvery: 100 })).rejects.toThrow(
      new RegExp(`${key} 1 would rewrite steps already taken`),
    );
  });

  it('warms the learning rate up, holds it, then decays it to a tenth', () => {
    expect(learningRateAt(settings, 0)).toBeCloseTo(1.5e-3);
    expect(learningRateAt(settings, 10)).toBeCloseTo(3e-3);
    expect(learningRateAt(settings, 35)).toBeCloseTo(3e-3 * (1 - 0.9 * 0.5));
    expect(learningRateAt(settings, 40)).toBeCloseTo(3e-4);
  });

  it('warms up again from where the optimiser restarted', () => {
    expect(learningRateAt(settings, 20, 20)).toBeCloseTo(1.5e-3);
    expect(learningRateAt(settings, 21, 20)).toBeCloseTo(3e-3);
  });

  it('continues a checkpoint whose optimiser restarted: fresh warm-up, moments rebuilt from zero, the step kept', async () => {
    const dir = path.join(root, 'restarted');
    const trained = await trainStage(tinyAutoencoderStage(), { workDir: dir, settings, checkpointEvery: 100, maxSteps: 5 });
    const zero = new Map([...trained.moments].map(([name, { m }]) => [name, { m: new Float64Array(m.length), v: new Float64Array(m.length) }]));
    await writeStageCheckpoint(checkpointFile(dir), { ...trained, restartedAt: 5, moments: zero });
    const rates: number[] = [];
    const resumed = await trainStage(tinyAutoencoderStage(), { workDir: dir, settings, checkpointEvery: 100, maxSteps: 2, onProgress: (p) => rates.push(p.learningRate) });
    expect(rates).toEqual([learningRateAt(settings, 5, 5), learningRateAt(settings, 6, 5)]);
    expect(rates[0]).toBeLessThan(learningRateAt(settings, 5));
    expect(resumed.step).toBe(7);
    expect(readStageCheckpoint(checkpointFile(dir))!.restartedAt).toBe(5);
    // Bias correction counts from the restart: a first update of Adam moves each weight by about the learning rate.
    const name = [...trained.weights.keys()][0]!;
    const moved = resumed.weights.get(name)!.some((v, i) => v !== trained.weights.get(name)![i]);
    expect(moved).toBe(true);
  });
});
