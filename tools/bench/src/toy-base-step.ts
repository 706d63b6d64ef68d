/**
 * What the autodiff's shape inference saves on the toy denoiser's training step, measured in one run:
 *   npm run bench:toy-base-step -w @perfusion/bench -- [--steps N] [--batch N]
 * Builds the diffusion stage's training graph (text encoder + UNet + loss, gradients for all 3.3 M
 * weights) twice from the same freshly initialised networks — with inferred shapes (the default) and
 * from recorded shapes only — runs both on the same batch, alternating, and prints each graph's
 * run-time broadcast reductions, its time per step, the ratio, and how far the two agree.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { countRuntimeBroadcastSums, encodeModel } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { diffusionTrainingGraph, initialNetwork, TOY_UNET, TOY_VOCAB_SIZE, toyLatentShape, type TrainingGraph } from '@perfusion/toymodel';
import * as ort from 'onnxruntime-node';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '6' }, batch: { type: 'string', default: '32' } } });
const steps = Number(values.steps);
const batch = Number(values.batch);

const textEncoder = initialNetwork('text_encoder');
const unet = initialNetwork('unet');
const variants: [string, TrainingGraph][] = [
  ['inferred shapes', diffusionTrainingGraph(textEncoder, unet)],
  ['recorded shapes only', diffusionTrainingGraph(textEncoder, unet, { inferShapes: false })],
];


const rng = new Rng(5);
const side = TOY_UNET.sampleSize;
const latent = toyLatentShape(batch);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const normal = (shape: number[]) => new ort.Tensor('float32', Float32Array.from({ length: size(shape) }, () => rng.normal()), shape);
const feeds: Record<string, ort.Tensor> = {
  input_ids: new ort.Tensor('int32', Int32Array.from({ length: batch * 77 }, () => Math.floor(rng.uniform() * TOY_VOCAB_SIZE)), [batch, 77]),
  sample: normal(latent),
  target: normal(latent),
  timestep: new ort.Tensor('int64', BigInt64Array.from({ length: batch }, () => BigInt(Math.floor(rng.uniform() * 1000))), [batch]),
  cell_weights: new ort.Tensor('float32', new Float32Array(batch * side * side).fill(1), [batch, 1, side, side]),
};

const sessions = await Promise.all(
  variants.map(async ([, graph]) => {
    const session = await ort.InferenceSession.create(encodeModel(graph.model), { extra: { session: { disable_prepacking: '1' } } });
    const own = { ...feeds };
    for (const p of graph.parameters) own[p.name] = new ort.Tensor('float32', p.values, p.shape as number[]);
    return { session, feeds: own };
  }),
);
const results = await Promise.all(sessions.map((s) => s.session.run(s.feeds))); // warm-up, and the outputs to compare
const times = variants.map(() => 0);
for (let step = 0; step < steps; step++) {
  for (const [i, s] of sessions.entries()) {
    const start = performance.now();
    await s.session.run(s.feeds);
    times[i]! += performance.now() - start;
  }
}

let largest = 0;
let difference = 0;
for (const name of Object.keys(results[0]!)) {
  const [a, b] = [results[0]![name]!.data as Float32Array, results[1]![name]!.data as Float32Array];
  for (let i = 0; i < a.length; i++) {
    largest = Math.max(largest, Math.abs(b[i]!));
    difference = Math.max(difference, Math.abs(a[i]! - b[i]!));
  }
}
console.log(`toy denoiser training step, batch ${batch} at ${side}×${side} latents, ${steps} steps each (alternating, after a warm-up)`);
for (const [i, [label, graph]] of variants.entries()) {
  console.log(`  ${label.padEnd(22)} ${graph.model.graph!.node.length} nodes, ${countRuntimeBroadcastSums(graph.model)} run-time broadcast sums: ${(times[i]! / steps).toFixed(0)} ms per step`);
}
console.log(`  ratio: ${(times[1]! / times[0]!).toFixed(3)}× (recorded-only time over inferred)`);
console.log(`  loss and gradients: largest difference ${difference.toExponential(2)} (largest value ${largest.toExponential(2)})`);
await Promise.all(sessions.map((s) => s.session.release()));
