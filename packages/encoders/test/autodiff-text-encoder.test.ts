import * as path from 'node:path';
import {
  addGraphInput,
  addGraphOutput,
  buildGradientGraph,
  copyGraph,
  encodeModel,
  gradientOutputName,
  GraphBuilder,
  readModelSync,
  type ModelProto,
} from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { extendTokenEmbedding, PERFUSION_TOKEN_EMBEDDINGS_INPUT } from '../src/index.js';
import { tinyModel } from './helpers/fixture.js';
import { ort } from './helpers/ort.js';

// The vector-Jacobian product training uses to push the UNet's gradient (`upstream`, the gradient
// of the loss w.r.t. the text encoding) through the text encoder into the added tokens' input
// embeddings: d/dE Σ last_hidden_state(E)·upstream, for the tiny fixture's CLIP text encoder
// extended with `perfusion_token_embeddings` rows E.

const WIDTH = 32; // presets.tiny text width
const SEQUENCE = 77;
const VOCAB = 1280; // the tiny tokenizer: 1278 = <|startoftext|>, 1279 = <|endoftext|> (also padding)
const EXTRA_ROWS = 3; // ids 1280, 1281, 1282; 1281 is used by no sequence below

/** Two sequences using extra ids 1280 (in both, twice in the second) and 1282; never 1281. */
function inputIds(): Int32Array {
  const row = (tokens: number[]) => [1278, ...tokens, ...new Array<number>(SEQUENCE - 1 - tokens.length).fill(1279)];
  return Int32Array.from([...row([17, 1280, 40, 1282, 1279]), ...row([1280, 1280, 99, 1279])]);
}

/** The extended text encoder with a `loss` output: Σ last_hidden_state·upstream (+ Σ pooler_output·pooledUpstream). */
async function textEncoderWithLoss(withPooled: boolean): Promise<ModelProto> {
  const file = path.join(await tinyModel(), 'text_encoder', 'model.onnx');
  const source = readModelSync(file);
  const { graph } = extendTokenEmbedding(source, file);
  const b = new GraphBuilder({ name: 'loss' });
  const weighted = (value: string, dims: number[]) => {
    const product = b.mul(b.input(value, 'float32', []), b.input(`${value}/upstream`, 'float32', dims));
    return b.op('ReduceSum', [product], { keepdims: 0 })[0]!;
  };
  b.scope('loss', () => {
    const hidden = weighted('last_hidden_state', [2, SEQUENCE, WIDTH]);
    b.output(withPooled ? b.add(hidden, weighted('pooler_output', [2, WIDTH])) : hidden, 'loss', 'float32', []);
  });
  let extended = copyGraph(graph, { node: [...graph.node, ...b.build().graph!.node] });
  extended = addGraphInput(extended, 'last_hidden_state/upstream', 'float32', [2, SEQUENCE, WIDTH]);
  if (withPooled) extended = addGraphInput(extended, 'pooler_output/upstream', 'float32', [2, WIDTH]);
  return { ...source, graph: addGraphOutput(extended, 'loss', 'float32', []) };
}

interface Check {
  grad: Float32Array;
  /** Largest |analytic − numeric| over the checked elements, relative to the largest |gradient| element. */
  maxError: number;
}

/**
 * Runs the gradient graph, then central differences of the forward loss for every element of the
 * rows in `checkRows` (float32: see the tolerance below).
 */
async function checkAgainstDifferences(withPooled: boolean, checkRows: number[]): Promise<Check> {
  const forward = await textEncoderWithLoss(withPooled);
  const backward = buildGradientGraph(forward, { loss: 'loss', wrt: [PERFUSION_TOKEN_EMBEDDINGS_INPUT] });
  const rng = new Rng(21);
  const normal = (n: number) => rng.fillNormal(new Float32Array(n));
  const extra = normal(EXTRA_ROWS * WIDTH);
  const upstreamHidden = normal(2 * SEQUENCE * WIDTH);
  const upstreamPooled = normal(2 * WIDTH);
  const feeds = (rows: Float32Array): Record<string, ort.Tensor> => ({
    input_ids: new ort.Tensor('int32', inputIds(), [2, SEQUENCE]),
    [PERFUSION_TOKEN_EMBEDDINGS_INPUT]: new ort.Tensor('float32', rows, [EXTRA_ROWS, WIDTH]),
    'last_hidden_state/upstream': new ort.Tensor('float32', upstreamHidden, [2, SEQUENCE, WIDTH]),
    ...(withPooled ? { 'pooler_output/upstream': new ort.Tensor('float32', upstreamPooled, [2, WIDTH]) } : {}),
  });
  const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' } as const;
  const fwd = await ort.InferenceSession.create(encodeModel(forward), options);
  const bwd = await ort.InferenceSession.create(encodeModel(backward), options);
  try {
    const out = await bwd.run(feeds(extra));
    const gradient = out[gradientOutputName(PERFUSION_TOKEN_EMBEDDINGS_INPUT)]!;
    expect(gradient.dims).toEqual([EXTRA_ROWS, WIDTH]);
    const grad = gradient.data as Float32Array;
    const lossAt = async (rows: Float32Array) => Number((await fwd.run(feeds(rows), ['loss']))['loss']!.data[0]);
    expect(Number(out['loss']!.data[0])).toBeCloseTo(await lossAt(extra), 4);
    const scale = Math.max(...Array.from(grad, Math.abs));
    const h = 3e-2;
    let maxError = 0;
    for (const r of checkRows) {
      for (let i = r * WIDTH; i < (r + 1) * WIDTH; i++) {
        const plus = Float32Array.from(extra);
        plus[i]! += h;
        const minus = Float32Array.from(extra);
        minus[i]! -= h;
        const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
        maxError = Math.max(maxError, Math.abs(grad[i]! - numeric) / scale);
      }
    }
    return { grad, maxError };
  } finally {
    await fwd.release();
    await bwd.release();
  }
}

const rowNorm = (grad: Float32Array, r: number) => Math.hypot(...grad.subarray(r * WIDTH, (r + 1) * WIDTH));

// float32, h = 3e-2: the float32 loss (a sum of ~5,000 products) carries enough rounding that
// the quotient's error grows as 1/h below that (2.8e-3 of the largest gradient element at
// h = 3e-3, 1.1e-3 at 1e-2) and the O(h²) truncation through the layer norms and softmaxes takes
// over above it (7e-4 at h = 0.1). Measured at 3e-2: ≤ 4e-4; bound 5e-3. A wrong rule on the path
// gives errors of order 1 (the row norms are ~10).
const TOLERANCE = 5e-3;

describe('autodiff through the tiny text encoder with added tokens', () => {
  it('d Σ last_hidden_state·upstream / d perfusion_token_embeddings matches central differences', async () => {
    const { grad, maxError } = await checkAgainstDifferences(false, [0, 2]);
    const norms = [0, 1, 2].map((r) => rowNorm(grad, r).toExponential(2)).join(', ');
    console.log(`text encoder VJP: max error ${maxError.toExponential(1)} of the largest gradient element; row norms ${norms}`);
    expect(maxError).toBeLessThan(TOLERANCE);
    // Rows of ids that some sequence uses get a gradient; the unused row's is exactly zero.
    expect(rowNorm(grad, 0)).toBeGreaterThan(1e-3);
    expect(rowNorm(grad, 2)).toBeGreaterThan(1e-3);
    expect([...grad.subarray(WIDTH, 2 * WIDTH)]).toEqual(new Array<number>(WIDTH).fill(0));
  });

  it('also through the pooled output (GatherND at the highest id: here the added token 1282)', async () => {
    const { grad, maxError } = await checkAgainstDifferences(true, [0, 1, 2]);
    console.log(`text encoder VJP with pooled output: max error ${maxError.toExponential(1)} of the largest gradient element`);
    expect(maxError).toBeLessThan(TOLERANCE);
    expect([...grad.subarray(WIDTH, 2 * WIDTH)]).toEqual(new Array<number>(WIDTH).fill(0));
  });
});
