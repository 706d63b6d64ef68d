/**
 * How much the caption matters to a model folder's UNet: the mean squared error of its prediction
 * on training pictures at several timesteps, with each picture's own caption, the empty caption and
 * another picture's caption. A model that ignores its captions scores the three alike.
 *   npm run caption-sensitivity -w @perfusion/toymodel -- [--model DIR] [--count N]
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ClipTokenizer } from '@perfusion/encoders';
import { OnnxSession } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { TrainingNoiseSchedule } from '@perfusion/trainer';
import { caption } from '@perfusion/toyworld';
import { trainingScene } from '../src/data/held-out.js';
import { randomImageBatch } from '../src/data/scene-batches.js';
import { TOY_MODEL_DIR } from '../src/model-dir.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({ options: { model: { type: 'string', default: TOY_MODEL_DIR }, count: { type: 'string', default: '16' } } });
const dir = resolveUserPath(values.model!);
const count = Number(values.count);
const session = (component: string) => OnnxSession.create(path.join(dir, component, 'model.onnx'));
const [textEncoder, unet, vaeEncoder] = await Promise.all([session('text_encoder'), session('unet'), session('vae_encoder')]);
const scale = (JSON.parse(fs.readFileSync(path.join(dir, 'vae_encoder', 'config.json'), 'utf8')) as { scaling_factor: number }).scaling_factor;
const tokenizer = await ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
const schedule = await TrainingNoiseSchedule.load(path.join(dir, 'scheduler', 'scheduler_config.json'));

const { scenes, pixels } = randomImageBatch(new Rng(555), count, trainingScene);
const latents = (await vaeEncoder.run({ sample: pixels }))['latent_sample']!;
const size = latents.data.length / count;
const x0 = (latents.data as Float32Array).map((v) => v * scale);
const noise = new Rng(1).fillNormal(new Float32Array(x0.length));
const captions = scenes.map((s) => caption(s));
const variants: Record<string, string[]> = {
  'own caption': captions,
  'empty caption': captions.map(() => ''),
  "another picture's": captions.map((_, i) => captions[(i + 1) % count]!),
};
const encoded: Record<string, Tensor> = {};
for (const [name, texts] of Object.entries(variants)) {
  const ids = new Int32Array(count * 77);
  texts.forEach((text, n) => ids.set(tokenizer.encode(text).ids, n * 77));
  encoded[name] = (await textEncoder.run({ input_ids: new Tensor('int32', ids, [count, 77]) }))['last_hidden_state']!;
}
console.log(`${dir}: ${schedule.predictionType} prediction, ${count} training pictures, mean squared error`);
console.log(`| timestep | ${Object.keys(variants).join(' | ')} |`);
console.log(`|---|${Object.keys(variants).map(() => '---|').join('')}`);
for (const t of [100, 300, 500, 700, 900, 999]) {
  const noisy = new Float32Array(x0.length);
  const target = new Float32Array(x0.length);
  for (let n = 0; n < count; n++) schedule.noiseSample(x0.subarray(n * size, (n + 1) * size), noise.subarray(n * size, (n + 1) * size), t, noisy, target, n * size);
  const errors: string[] = [];
  for (const hidden of Object.values(encoded)) {
    const feeds = { sample: new Tensor('float32', noisy, latents.shape), timestep: new Tensor('int64', new BigInt64Array(count).fill(BigInt(t)), [count]), encoder_hidden_states: hidden };
    const prediction = (await unet.run(feeds))['out_sample']!.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < prediction.length; i++) sum += (prediction[i]! - target[i]!) ** 2;
    errors.push((sum / prediction.length).toPrecision(3));
  }
  console.log(`| ${t} | ${errors.join(' | ')} |`);
}
await Promise.all([textEncoder.release(), unet.release(), vaeEncoder.release()]);
