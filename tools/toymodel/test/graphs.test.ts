import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTextEncoder, buildUnet, buildVaeDecoder, buildVaeEncoder, presets } from '@perfusion/fixtures';
import { GraphBuilder, gradientOutputName, OnnxSession, writeModel, type ModelProto } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { autoencoderTrainingGraph, decoderTrainingGraph, diffusionTrainingGraph, GraphJoinError, joinModels, latentDecoderTrainingGraph, withTrainableInputs } from '../src/index.js';
import { weightedSquaredErrorHead } from '../src/graphs/loss-heads.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-graphs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function run(model: ModelProto, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const file = path.join(dir, `m${files++}.onnx`);
  await writeModel(model, file);
  const session = await OnnxSession.create(file);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, new Tensor(v.dtype, v.data.slice() as Float32Array, v.shape)]));
  } finally {
    await session.release();
  }
}

/** y = x·w + c, with w an initializer; value names deliberately generic so two copies clash. */
function affine(name: string, scale: number, offset: number): ModelProto {
  const b = new GraphBuilder({ name, opset: 17, dtype: 'float32', producer: 'test' });
  const x = b.input('x', 'float32', [2]);
  const w = b.parameter(`${name}.w`, [2], Float32Array.of(scale, scale));
  b.output(b.add(b.mul(x, w), b.constant([offset], [])), 'y', 'float32', [2]);
  return b.build();
}

const f32 = (...values: number[]) => new Tensor('float32', Float32Array.from(values), [values.length]);

describe('joinModels', () => {
  it('feeds the second model from the first and keeps both outputs', async () => {
    const joined = joinModels(affine('first', 2, 1), affine('second', 3, -1), { connect: { x: 'y' }, prefix: 'second:', rename: { y: 'z' } });
    const out = await run(joined, { x: f32(1, 2) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 5]);
    expect(Array.from(out.z!.data as Float32Array)).toEqual([8, 14]); // 3·(2x + 1) − 1
  });

  it('refuses a name both models define, and a connection to nothing', () => {
    expect(() => joinModels(affine('first', 2, 1), affine('second', 3, -1), { connect: { x: 'y' }, prefix: 'p:' })).toThrow(GraphJoinError);
    expect(() => joinModels(affine('first', 2, 1), affine('second', 3, -1), { connect: { x: 'missing' }, prefix: 'p:' })).toThrow(/'missing' is not a value/);
    expect(() => joinModels(affine('first', 2, 1), affine('second', 3, -1), { connect: { nope: 'y' }, prefix: 'p:' })).toThrow(/'nope' is not an input/);
  });
});

describe('withTrainableInputs', () => {
  it('turns float weights into inputs named <component>/<initializer> with the same values', async () => {
    const model = affine('net', 2, 1);
    const { model: trainable, parameters } = withTrainableInputs(model, 'net');
    expect(parameters.map((p) => [p.name, p.initializer, [...p.shape], Array.from(p.values)])).toEqual([['net/net.w', 'net.w', [2], [2, 2]]]);
    const out = await run(trainable, { x: f32(1, 2), 'net/net.w': f32(5, 7) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([6, 15]);
  });
});

/** Central differences of the loss along single weight elements against the graph's gradients (one session, weights are inputs). */
async function checkGradients(graph: ReturnType<typeof diffusionTrainingGraph>, feeds: Record<string, Tensor>, probes: readonly [number, number][]): Promise<[number, number][]> {
  const file = path.join(dir, `m${files++}.onnx`);
  await writeModel(graph.model, file);
  const session = await OnnxSession.create(file);
  try {
    const evaluate = async () => session.run({ ...feeds, ...Object.fromEntries(graph.parameters.map((p) => [p.name, new Tensor('float32', p.values, p.shape)])) });
    const base = await evaluate();
    const results: [number, number][] = [];
    for (const [parameterIndex, element] of probes) {
      const parameter = graph.parameters[parameterIndex]!;
      const analytic = base[gradientOutputName(parameter.name)]!.data[element] as number;
      const h = 1e-2;
      const original = parameter.values[element]!;
      const lossAt = async (value: number): Promise<number> => {
        parameter.values[element] = value;
        const loss = (await evaluate()).loss!.data[0] as number;
        parameter.values[element] = original;
        return loss;
      };
      results.push([analytic, ((await lossAt(original + h)) - (await lossAt(original - h))) / (2 * h)]);
    }
    return results;
  } finally {
    await session.release();
  }
}

describe('weighted squared error head', () => {
  it('gives the plain mean squared error under all-ones weights and scales each cell’s share by its weight', async () => {
    const head = weightedSquaredErrorHead(2);
    // Two channels of one 1×2 latent: errors 1 and 2 in the first cell, 3 and 0 in the second.
    const prediction = new Tensor('float32', Float32Array.of(1, 3, 2, 0), [1, 2, 1, 2]);
    const target = new Tensor('float32', new Float32Array(4), [1, 2, 1, 2]);
    const loss = async (w0: number, w1: number) => (await run(head, { prediction, target, cell_weights: new Tensor('float32', Float32Array.of(w0, w1), [1, 1, 1, 2]) }))['loss']!.data[0]!;
    expect(await loss(1, 1)).toBeCloseTo((1 + 9 + 4 + 0) / 4, 6);
    expect(await loss(4, 1)).toBeCloseTo((4 * 1 + 9 + 4 * 4 + 0) / 4, 6);
  });
});

describe('training graphs (on the tiny fixture networks)', () => {
  const rng = new Rng(3);
  const normal = (shape: number[]) => new Tensor('float32', rng.fork(shape.join('x')).fillNormal(new Float32Array(shape.reduce((a, b) => a * b))), shape);

  it('the diffusion graph differentiates every text-encoder and UNet weight', async () => {
    const tiny = presets.tiny;
    const graph = diffusionTrainingGraph(buildTextEncoder(tiny.textEncoder, { rng: new Rng(1) }), buildUnet(tiny.unet, { rng: new Rng(2) }));
    expect(graph.parameters.some((p) => p.component === 'text_encoder')).toBe(true);
    expect(graph.parameters.some((p) => p.component === 'unet')).toBe(true);
    const feeds = {
      input_ids: new Tensor('int32', Int32Array.from({ length: 2 * 77 }, (_, i) => (i % 77 === 0 ? 1278 : i % 77 < 5 ? 300 + i : 1279)), [2, 77]),
      sample: normal([2, 4, 8, 8]),
      timestep: new Tensor('int64', BigInt64Array.of(10n, 500n), [2]),
      target: normal([2, 4, 8, 8]),
      cell_weights: new Tensor('float32', Float32Array.from({ length: 2 * 64 }, (_, i) => (i % 3 === 0 ? 4 : 1)), [2, 1, 8, 8]),
    };
    // A text-encoder weight (reached only through cross-attention) and the UNet's output bias.
    const embedding = graph.parameters.findIndex((p) => p.initializer === 'text_model.embeddings.token_embedding.weight');
    const outBias = graph.parameters.findIndex((p) => p.initializer === 'conv_out.bias');
    const [[a1, n1], [a2, n2]] = await checkGradients(graph, feeds, [[embedding, 301 * 32 + 5], [outBias, 1]]);
    expect(Math.abs(a1)).toBeGreaterThan(1e-6);
    expect(a1).toBeCloseTo(n1, 3);
    expect(a2).toBeCloseTo(n2, 3);
  });

  it('the autoencoder graph differentiates encoder and decoder weights', async () => {
    const vae = presets.tiny.vae;
    const graph = autoencoderTrainingGraph(buildVaeEncoder(vae, { rng: new Rng(4) }), buildVaeDecoder(vae, { rng: new Rng(5) }), 0.01);
    const feeds = { sample: normal([2, 3, 16, 16]), noise: normal([2, 4, 2, 2]), pixel_weights: normal([2, 1, 16, 16]) };
    const encoderIn = graph.parameters.findIndex((p) => p.name === 'vae_encoder/encoder.conv_in.weight');
    const decoderOut = graph.parameters.findIndex((p) => p.name === 'vae_decoder/decoder.conv_out.bias');
    const [[a1, n1], [a2, n2]] = await checkGradients(graph, feeds, [[encoderIn, 7], [decoderOut, 0]]);
    expect(Math.abs(a1)).toBeGreaterThan(1e-6);
    expect(a1).toBeCloseTo(n1, 3);
    expect(a2).toBeCloseTo(n2, 3);
  });

  it('the decoder graph differentiates the decoder only and keeps the encoder\'s weights', async () => {
    const vae = { ...presets.tiny.vae, sampleSize: 16 };
    const encoder = buildVaeEncoder(vae, { rng: new Rng(4) });
    const graph = decoderTrainingGraph(encoder, buildVaeDecoder(vae, { rng: new Rng(5) }));
    expect(graph.parameters.length).toBeGreaterThan(0);
    expect(graph.parameters.every((p) => p.component === 'vae_decoder')).toBe(true);
    expect(graph.model.graph!.input.map((i) => i.name).filter((n) => n.startsWith('vae_encoder/'))).toEqual([]);
    const encoderWeights = new Set(encoder.graph!.initializer.map((t) => t.name));
    expect(graph.model.graph!.initializer.filter((t) => encoderWeights.has(t.name)).length).toBe(encoderWeights.size);
    const feeds = { sample: normal([2, 3, 16, 16]), noise: normal([2, 4, 2, 2]), pixel_weights: normal([2, 1, 16, 16]) };
    const decoderIn = graph.parameters.findIndex((p) => p.name === 'vae_decoder/decoder.conv_in.weight');
    const [[a, n]] = await checkGradients(graph, feeds, [[decoderIn, 3]]);
    expect(Math.abs(a)).toBeGreaterThan(1e-3);
    // float32 central differences through the whole decoder: a few per cent of the slope
    expect(Math.abs(a - n) / Math.abs(a)).toBeLessThan(0.05);
  });

  it('the decoder graph on latents gives the decoder graph\'s loss on the encoder\'s means, and differentiates the decoder', async () => {
    const vae = { ...presets.tiny.vae, sampleSize: 16 };
    const encoder = buildVaeEncoder(vae, { rng: new Rng(4) });
    const decoder = buildVaeDecoder(vae, { rng: new Rng(5) });
    const onPictures = decoderTrainingGraph(encoder, decoder);
    const onLatents = latentDecoderTrainingGraph(decoder);
    expect(onLatents.parameters.map((p) => p.name)).toEqual(onPictures.parameters.map((p) => p.name));
    const sample = normal([2, 3, 16, 16]);
    const weights = normal([2, 1, 16, 16]);
    const means = (await run(encoder, { sample }))['latent_sample']!;
    const parameterFeeds = (graph: typeof onLatents): Record<string, Tensor> => Object.fromEntries(graph.parameters.map((p) => [p.name, new Tensor('float32', p.values, p.shape)]));
    // Zero noise samples the posterior at its mean exactly.
    const zero = new Tensor('float32', new Float32Array(means.data.length), means.shape);
    const viaPictures = await run(onPictures.model, { sample, noise: zero, pixel_weights: weights, ...parameterFeeds(onPictures) });
    const viaLatents = await run(onLatents.model, { latent_sample: means, image: sample, pixel_weights: weights, ...parameterFeeds(onLatents) });
    expect(viaLatents['loss']!.data[0]).toBeCloseTo(viaPictures['loss']!.data[0] as number, 5);
    const decoderIn = onLatents.parameters.findIndex((p) => p.name === 'vae_decoder/decoder.conv_in.weight');
    const [[a, n]] = await checkGradients(onLatents, { latent_sample: means, image: sample, pixel_weights: weights }, [[decoderIn, 3]]);
    expect(Math.abs(a)).toBeGreaterThan(1e-3);
    expect(Math.abs(a - n) / Math.abs(a)).toBeLessThan(0.05);
  });
});

