import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFixture } from '@perfusion/fixtures';
import {
  externalizeInitializers,
  GraphBuilder,
  inlinePayload,
  isExternalTensor,
  onnxElementBytes,
  readModelSync,
  writeExternalTensorFile,
  writeModelSync,
  type Value,
} from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { afterAll } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The real diffusers UNet exported by torch.onnx (read-only; see its README.md). */
export const REAL_EXPORT = path.resolve(repoRoot, '../shared/fixtures/diffusers-unet-tiny/model.onnx');

/** `<fixture>/unet/model.onnx` of the tiny fixture (seed 0 unless given). */
export async function tinyUnet(dtype: 'float32' | 'float16' = 'float32', seed = 0): Promise<string> {
  return path.join(await ensureFixture('tiny', { dtype, seed }), 'unet', 'model.onnx');
}

/** The sd15-shaped UNet with zero weights (sparse weight file; generated in about a second, cached). */
export async function sd15ZerosUnet(dtype: 'float32' | 'float16' = 'float32'): Promise<string> {
  return path.join(await ensureFixture('sd15', { dtype, weights: 'zeros' }), 'unet', 'model.onnx');
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(tmpdir()), `perfusion-unet-${tag}-`));
  made.push(dir);
  return dir;
}

/** A fresh temporary folder inside `dir` (so on its file system, for hard links), removed after the test file. */
export function tempDirIn(dir: string, tag: string): string {
  const made_ = fs.mkdtempSync(path.join(dir, `.test-${tag}-`));
  made.push(made_);
  return made_;
}

/** How a copy of a model keeps its weights. */
export type WeightLayout = 'inline' | 'single-file' | 'per-tensor';

/**
 * Copies the model at `source` (with inline weights) into `dir` with its weights in `layout`:
 * inline, one external file for every tensor (`model.onnx_data`, as optimum), or one file per
 * tensor (as torch.onnx's large-model export). config.json comes along when there is one.
 */
export function copyWithLayout(source: string, dir: string, layout: WeightLayout): string {
  fs.mkdirSync(dir, { recursive: true });
  const model = readModelSync(source);
  if (layout === 'single-file') externalizeInitializers(model, dir, 'model.onnx_data');
  if (layout === 'per-tensor') {
    for (const tensor of model.graph!.initializer) {
      if (isExternalTensor(tensor) || onnxElementBytes(tensor.dataType) === undefined || tensor.rawData.length < 1024) continue;
      writeExternalTensorFile(dir, tensor, inlinePayload(tensor).slice());
    }
  }
  const target = path.join(dir, 'model.onnx');
  writeModelSync(model, target);
  const config = path.join(path.dirname(source), 'config.json');
  if (fs.existsSync(config)) fs.copyFileSync(config, path.join(dir, 'config.json'));
  return target;
}

/** Options of {@link writeMiniCrossAttention}. */
export interface MiniOptions {
  /** Compute type (weights, activations). */
  readonly dtype?: 'float32' | 'float16';
  /** Take float32 inputs and Cast them to `dtype` (as float16 exports with float32 inputs do). */
  readonly float32Inputs?: boolean;
  /** Name nodes as diffusers/optimum do (`/attn2/to_k/MatMul`); otherwise node names are empty. */
  readonly named?: boolean;
  /** Add a MatMul of the text states that is no attention's key or value. */
  readonly strayProjection?: boolean;
}

export const MINI = { tokens: 5, dim: 6, width: 8, heads: 2, queries: 3 } as const;

/**
 * A one-layer cross-attention model with a UNet's interface: `sample` [batch, 3, 8] are the
 * queries, `encoder_hidden_states` [batch, sequence, 6] the text states, `out_sample` the
 * attention output (scores scaled by a Mul after Q·Kᵀ, Softmax, ·V, heads split by Reshape/Transpose).
 */
export function writeMiniCrossAttention(dir: string, options: MiniOptions = {}): string {
  const dtype = options.dtype ?? 'float32';
  const ioType = options.float32Inputs === true ? 'float32' : dtype;
  const { dim, width, heads, queries } = MINI;
  const rng = new Rng(11);
  const b = new GraphBuilder({ name: 'mini', dtype, opset: 17 });
  const sampleIn = b.input('sample', ioType, ['batch', queries, width]);
  b.input('timestep', 'int64', ['batch']);
  const statesIn = b.input('encoder_hidden_states', ioType, ['batch', 'sequence', dim]);
  const sample = ioType === dtype ? sampleIn : b.cast(sampleIn, dtype);
  const states = ioType === dtype ? statesIn : b.cast(statesIn, dtype);
  const weight = (n: number, m: number): Value => b.parameter(b.anonymousName('MatMul'), [n, m], rng.fillNormal(new Float32Array(n * m), 0, 0.5));
  const project = (module: string, x: Value, n: number): Value => b.scope(module, () => b.matMul(x, weight(n, width)));
  let out = b.scope('attn2', () => {
    const q = project('to_q', sample, width);
    const k = project('to_k', states, dim);
    const v = project('to_v', states, dim);
    const split = (x: Value, perm: number[]): Value => b.transpose(b.reshape(x, [0, 0, heads, width / heads]), perm);
    const scores = b.mul(b.matMul(split(q, [0, 2, 1, 3]), split(k, [0, 2, 3, 1])), 1 / Math.sqrt(width / heads));
    const attended = b.matMul(b.softmax(scores, -1), split(v, [0, 2, 1, 3]));
    return b.reshape(b.transpose(attended, [0, 2, 1, 3]), [0, 0, width]);
  });
  if (options.strayProjection === true) {
    const pooled = b.reduceMean(project('stray', states, dim), [1]);
    out = b.add(out, pooled);
  }
  b.output(ioType === dtype ? out : b.cast(out, ioType), 'out_sample', ioType, ['batch', queries, width]);
  const model = b.build();
  if (options.named !== true) for (const node of model.graph!.node) node.name = '';
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'model.onnx');
  writeModelSync(model, file);
  return file;
}
