import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conceptDirection, project, type CovarianceInverse } from '@perfusion/key-lock';
import { loadPipeline, type Pipeline } from '@perfusion/pipeline';
import { Rng } from '@perfusion/tensor-core';
import { DEFAULT_PROMPT_TEMPLATES, loadGradientModel, loadUnetTraining, microBatchGradients, type ConceptParameters, type GradientModel, type MicroBatch } from '../src/index.js';
import { setUpConcept, type ConceptSetup } from '../src/training/concept-setup.js';
import { tinyModel } from './training-support.js';

// The trainer's gradients — the UNet training graph's, the gate's part added in TypeScript and the
// text encoder's VJP graph — against central differences of the same micro-batch loss, along random
// directions of the value targets and of the token embedding (float32 models: tolerance 2 %).
// A steep gate centred near the token's sim, so the gate's share of the embedding gradient is large
// enough that leaving it out fails the check.
const STEEP_GATE = { beta: 1, tau: 0.05 };

describe('Perfusion gradients of one micro-batch', () => {
  let pipeline: Pipeline;
  let model: GradientModel;
  let owned: { release(): Promise<void> }[];
  let inverse: CovarianceInverse;
  let setup: ConceptSetup;
  const rng = new Rng(11);

  beforeAll(async () => {
    pipeline = await loadPipeline(await tinyModel());
    ({ model, owned } = await loadGradientModel(pipeline));
    inverse = (await pipeline.perfusion!.covarianceStore.ensure({}))!;
    setup = await setUpConcept(pipeline.perfusion!, model.encoder, { token: '<fd-token>', supercategory: 'cat', templates: DEFAULT_PROMPT_TEMPLATES });
  });
  afterAll(async () => {
    await Promise.allSettled(owned.map((s) => s.release()));
    await pipeline.release();
  });

  function batch(): MicroBatch {
    const size = 2 * 4 * 8 * 8;
    return {
      noisy: rng.fillNormal(new Float32Array(size)),
      target: rng.fillNormal(new Float32Array(size)),
      weights: new Float32Array(2 * 64).fill(1 / (2 * 4 * 64)),
      latentShape: [4, 8, 8],
      prompts: [setup.prompts[0]!.ids, setup.prompts[3]!.ids],
      positions: [setup.prompts[0]!.position, setup.prompts[3]!.position],
      timesteps: [250, 700],
    };
  }

  function parameters(valueTargets: Float32Array[], embedding: Float32Array, superEncoding = setup.superEncoding): ConceptParameters {
    const dim = embedding.length;
    const extraEmbeddings = new Float32Array((setup.extraRow + 1) * dim);
    extraEmbeddings.set(embedding, setup.extraRow * dim);
    // i* a little off the token's encoding, so the gates sit on their slope and their gradient matters.
    const input = setup.initialInputEncoding.map((v, i) => v * (1 + 0.05 * Math.sin(i)));
    return { valueTargets, extraEmbeddings, extraRow: setup.extraRow, direction: conceptDirection(input, inverse), superEncoding, gate: STEEP_GATE };
  }

  it('the value-target and embedding gradients match central differences', async () => {
    const data = batch();
    const values = model.weights.map((layer) => Float32Array.from(project(setup.superEncoding, layer.v)).map((v) => v + 0.3 * rng.normal()));
    const embedding = setup.initialEmbedding.map((v) => v + 0.05 * rng.normal());
    const result = await microBatchGradients(model, data, parameters(values, embedding));
    expect(result.valueGradients.map((g) => g.length)).toEqual(model.weights.map((l) => l.v.width));
    expect(result.tokenEncodings).toHaveLength(2);

    const directionV = values.map((v) => rng.fillNormal(new Float32Array(v.length)));
    const directionE = rng.fillNormal(new Float32Array(embedding.length));
    const lossAt = async (hV: number, hE: number) => {
      const shiftedValues = values.map((v, i) => v.map((x, j) => x + hV * directionV[i]![j]!));
      const shiftedEmbedding = embedding.map((x, j) => x + hE * directionE[j]!);
      return (await microBatchGradients(model, data, parameters(shiftedValues, shiftedEmbedding))).loss;
    };
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);

    const hV = 0.05;
    const numericV = ((await lossAt(hV, 0)) - (await lossAt(-hV, 0))) / (2 * hV);
    const analyticV = result.valueGradients.reduce((s, g, i) => s + dot(g, directionV[i]!), 0);
    expect(Math.abs(analyticV)).toBeGreaterThan(1e-5);
    expect(Math.abs(numericV - analyticV)).toBeLessThan(0.02 * Math.abs(analyticV) + 1e-6);

    const hE = 0.01;
    const numericE = ((await lossAt(0, hE)) - (await lossAt(0, -hE))) / (2 * hE);
    const analyticE = dot(result.embeddingGradient, directionE);
    expect(Math.abs(analyticE)).toBeGreaterThan(1e-5);
    expect(Math.abs(numericE - analyticE)).toBeLessThan(0.02 * Math.abs(analyticE) + 1e-6);
    expect(result.superEncodingGradient).toBeUndefined(); // keys locked: the graph does not differentiate them
  });

  it('with trained keys, the gradient w.r.t. the keys’ encoding matches central differences', async () => {
    const unet = await loadUnetTraining(model.patched, { keys: 'trained' });
    owned.push(unet.session);
    const keyModel: GradientModel = { ...model, unet };
    const data = batch();
    const values = model.weights.map((layer) => Float32Array.from(project(setup.superEncoding, layer.v)).map((v) => v + 0.3 * rng.normal()));
    const embedding = setup.initialEmbedding.map((v) => v + 0.05 * rng.normal());
    const superEncoding = setup.superEncoding.map((v) => v + 0.05 * rng.normal());
    const result = await microBatchGradients(keyModel, data, parameters(values, embedding, superEncoding));
    expect(result.superEncodingGradient).toHaveLength(superEncoding.length);

    const direction = rng.fillNormal(new Float32Array(superEncoding.length));
    const lossAt = async (h: number) => (await microBatchGradients(keyModel, data, parameters(values, embedding, superEncoding.map((x, j) => x + h * direction[j]!)))).loss;
    const h = 0.05;
    const numeric = ((await lossAt(h)) - (await lossAt(-h))) / (2 * h);
    const analytic = Array.from(direction).reduce((s, x, i) => s + x * result.superEncodingGradient![i]!, 0);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-5);
    expect(Math.abs(numeric - analytic)).toBeLessThan(0.02 * Math.abs(analytic) + 1e-6);
  });
});
