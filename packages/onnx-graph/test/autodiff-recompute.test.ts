import { create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { TensorProto_DataType, TensorProtoSchema } from '../src/gen/onnx_pb.js';
import {
  addGraphOutput,
  buildGradientGraph,
  copyGraph,
  encodeModel,
  readModelSync,
  type ModelProto,
  type NodeProto,
} from '../src/index.js';
import { checkGradients, forwardModel, node, rng, type Problem } from './autodiff-support.js';
import { diffusersUnetModel } from './helpers/paths.js';

const TOL64 = 1e-6;
const isBackward = (n: NodeProto) => n.name.startsWith('grad/');
/** A recomputed forward node (not one of the nodes tying it to the backward pass). */
const isCopy = (n: NodeProto) => n.name.includes('/recompute/') && !n.name.includes('/recompute/tie/');

/** The forward values backward nodes read, with the op types reading each. */
function backwardReads(model: ModelProto): Map<string, Set<string>> {
  const forwardValues = new Set(model.graph!.node.filter((n) => !isBackward(n)).flatMap((n) => n.output));
  const reads = new Map<string, Set<string>>();
  for (const n of model.graph!.node.filter(isBackward)) {
    for (const v of n.input) if (forwardValues.has(v)) reads.set(v, (reads.get(v) ?? new Set()).add(n.opType));
  }
  return reads;
}

/** Values computed from the gradient seed (the backward pass proper), following node inputs. */
function downstreamOfSeed(model: ModelProto): Set<string> {
  const seeded = new Set<string>(model.graph!.node.filter((n) => n.name.startsWith('grad/seed/CastLike')).flatMap((n) => n.output));
  for (const n of model.graph!.node) if (n.input.some((v) => seeded.has(v))) for (const o of n.output) seeded.add(o);
  return seeded;
}

const double = (name: string, value: number) =>
  node('Constant', [], [name], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [value] }) });

/** A SiLU MLP block as diffusers writes it: h = x·W + b, y = h·Sigmoid(h)·½ + x. */
const siluBlock: Problem = {
  inputs: { x: { dims: ['batch', 4], run: [3, 4] }, w: { dims: [4, 4] }, b: { dims: [4] } },
  nodes: [
    node('MatMul', ['x', 'w'], ['xw']),
    node('Add', ['xw', 'b'], ['h']),
    node('Sigmoid', ['h'], ['s']),
    node('Mul', ['h', 's'], ['silu']),
    double('half', 0.5),
    node('Mul', ['silu', 'half'], ['scaled']),
    node('Add', ['scaled', 'x'], ['y']),
  ],
  y: 'y',
  yDims: [3, 4],
};

describe("recompute: 'cheap' (the default) against 'none'", () => {
  it('rebuilds cheap values in the backward section instead of reading the forward ones', () => {
    const forward = forwardModel(siluBlock);
    const plain = buildGradientGraph(forward, { loss: 'loss', wrt: ['x', 'w', 'b'], recompute: 'none' });
    const cheap = buildGradientGraph(forward, { loss: 'loss', wrt: ['x', 'w', 'b'], recompute: 'cheap' });
    // Without recomputation the backward pass reads s (Sigmoid's and Mul's rules) and the shape
    // of y (the last Add's broadcast reduction), so they stay alive until then; with it, those are
    // rebuilt from h, which the backward pass reads anyway, and the constant ½. The inferred
    // shapes show the Add of scaled and x needs no reduction, so scaled is not read either way.
    const [before, after] = [backwardReads(plain), backwardReads(cheap)];
    for (const v of ['s', 'y']) expect([before.has(v), after.has(v)], v).toEqual([true, false]);
    expect([before.has('scaled'), after.has('scaled')]).toEqual([false, false]);
    expect([before.has('h'), after.has('h')]).toEqual([true, true]);
    expect(cheap.graph!.node.filter(isCopy).map((n) => n.opType)).toContain('Sigmoid');
  });

  it('makes every copy wait for the gradient that needs it (a data dependency on the backward pass)', () => {
    const cheap = buildGradientGraph(forwardModel(siluBlock), { loss: 'loss', wrt: ['x', 'w', 'b'], recompute: 'cheap' });
    const seeded = downstreamOfSeed(cheap);
    for (const copy of cheap.graph!.node.filter(isCopy)) expect(copy.output.every((o) => seeded.has(o)), copy.name).toBe(true);
  });

  it('gives the same gradients (float64 finite differences) on the SiLU block and a tiny attention block', async () => {
    const { maxError } = await checkGradients(siluBlock, ['x', 'w', 'b'], { recompute: 'cheap' });
    expect(maxError).toBeLessThan(TOL64);
    const attention: Problem = {
      inputs: { x: { dims: [2, 3, 4] }, wq: { dims: [4, 4] }, wk: { dims: [4, 4] }, wv: { dims: [4, 4] } },
      nodes: [
        node('MatMul', ['x', 'wq'], ['q']),
        node('MatMul', ['x', 'wk'], ['k']),
        node('MatMul', ['x', 'wv'], ['v']),
        node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
        node('MatMul', ['q', 'kt'], ['scores']),
        double('scale', 0.5),
        node('Mul', ['scores', 'scale'], ['scaled']),
        node('Softmax', ['scaled'], ['probs']),
        node('MatMul', ['probs', 'v'], ['y']),
      ],
      y: 'y',
      yDims: [2, 3, 4],
    };
    const attentionCheck = await checkGradients(attention, ['x', 'wq', 'wk', 'wv'], { recompute: 'cheap' });
    expect(attentionCheck.maxError).toBeLessThan(TOL64);
  });

  it('takes the shape of a shape-preserving op’s output from its input', () => {
    // Reshape's rule reads Shape(e); e = Erf(d) has d's shape, and d is read anyway by Erf's rule.
    const p: Problem = {
      inputs: { x: { dims: ['batch', 6], run: [2, 6] } },
      nodes: [
        double('c', 0.7),
        node('Mul', ['x', 'c'], ['d']),
        node('Erf', ['d'], ['e']),
        node('Constant', [], ['shape'], { value_ints: [-1, 3] }),
        node('Reshape', ['e', 'shape'], ['y']),
      ],
      y: 'y',
      yDims: [4, 3],
    };
    const plain = buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['x'], recompute: 'none' });
    const cheap = buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['x'], recompute: 'cheap' });
    expect(backwardReads(plain).get('e')).toEqual(new Set(['Shape']));
    expect(backwardReads(cheap).has('e')).toBe(false);
  });
});

describe('reading no forward value only for its shape', () => {
  it('skips the broadcast reduction for scalar factors and for biases of a MatMul with a weight', () => {
    // torch's attention scale (a scalar Constant) and a linear layer's bias: the backward pass
    // needs neither scores' nor xw's shape, so neither stays alive for it.
    const p: Problem = {
      inputs: { x: { dims: ['batch', 3, 4], run: [2, 3, 4] }, w: { dims: [4, 5] }, b: { dims: [5] } },
      nodes: [
        node('MatMul', ['x', 'w'], ['xw']),
        node('Add', ['xw', 'b'], ['h']),
        double('scale', 0.125),
        node('Mul', ['h', 'scale'], ['y']),
      ],
      y: 'y',
      yDims: [2, 3, 5],
    };
    const grad = buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['x', 'b'], recompute: 'none' });
    const reads = backwardReads(grad);
    expect(reads.has('xw')).toBe(false);
    expect(reads.has('h')).toBe(false);
  });
});

describe('the diffusers UNet fixture (torch.onnx, opset 14) with and without recomputation', () => {
  // Up to the first transformer block's output: conv_in, the time embedding, a ResNet block
  // (GroupNorm as InstanceNormalization, SiLU, Conv) and a transformer block (LayerNorm decomposed
  // with Pow / ReduceMean, self- and cross-attention, GEGLU), in torch's own spelling. (The whole
  // UNet's gradient graph takes onnxruntime ~25 s to load.)
  it('gives the same loss and gradients, and its backward pass reads fewer forward values', async () => {
    const source = readModelSync(diffusersUnetModel);
    const graph = source.graph!;
    const out = graph.node.find((n) => n.name === '/down_blocks.0/attentions.0/Add')!.output[0]!;
    const nodes = [node('Mul', [out, out], ['loss_sq']), node('ReduceMean', ['loss_sq'], ['loss'], { keepdims: 0 })];
    const forward = { ...source, graph: addGraphOutput(copyGraph(graph, { node: [...graph.node, ...nodes] }), 'loss', 'float32', []) };
    const convWeight = graph.node.find((n) => n.name === '/down_blocks.0/resnets.0/conv1/Conv')!.input[1]!;
    const request = { loss: 'loss', wrt: ['encoder_hidden_states', convWeight] };
    const plain = buildGradientGraph(forward, { ...request, recompute: 'none' });
    const cheap = buildGradientGraph(forward, request); // the default
    expect(cheap.graph!.node.filter(isCopy).length).toBeGreaterThan(50);
    expect(backwardReads(cheap).size).toBeLessThan(backwardReads(plain).size);

    const random = rng(4);
    const fill = (n: number) => Float32Array.from({ length: n }, () => 2 * random() - 1);
    const feeds = {
      sample: new ort.Tensor('float32', fill(2 * 4 * 8 * 8), [2, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.from([999n, 10n]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', fill(2 * 77 * 32), [2, 77, 32]),
    };
    const run = async (model: ModelProto, graphOptimizationLevel: 'disabled' | 'all') => {
      const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], graphOptimizationLevel });
      try {
        return Object.fromEntries(Object.entries(await session.run(feeds)).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
      } finally {
        await session.release();
      }
    };
    // Unoptimised, the copies run the same kernels on the same values: identical bits.
    const [a, b] = [await run(plain, 'disabled'), await run(cheap, 'disabled')];
    expect(Object.keys(b)).toEqual(['loss', 'grad/encoder_hidden_states', `grad/${convWeight}`]);
    for (const k of Object.keys(a)) expect(b[k], k).toEqual(a[k]);
    // Optimised (onnxruntime's default), the graphs fuse differently (e.g. a Sigmoid no backward node
    // reads any more joins a fused activation), so float32 rounding differs: measured ≤ 4e-7 of the
    // largest element here (1.3e-6 on the whole tiny fixture UNet); bound 1e-5.
    const [c, d] = [await run(plain, 'all'), await run(cheap, 'all')];
    for (const k of Object.keys(c)) {
      const scale = Math.max(...Array.from(c[k]!, Math.abs));
      const diff = Math.max(...Array.from(c[k]!, (v, i) => Math.abs(v - d[k]![i]!)));
      expect(diff / scale, k).toBeLessThan(1e-5);
    }
  });
});
