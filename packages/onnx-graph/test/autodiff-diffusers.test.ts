import { create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { addGraphOutput, buildGradientGraph, copyGraph, countRuntimeBroadcastSums, encodeModel, GraphIndex, readModelSync, type ModelProto } from '../src/index.js';
import { ModelProtoSchema } from '../src/gen/onnx_pb.js';
import { diffusersUnetModel } from './helpers/paths.js';
import { node, rng } from './autodiff-support.js';

// A real torch.onnx export (diffusers UNet, opset 14): the gradient of a cross-attention output
// with respect to the text encoding and the value projection's weight, through torch's own
// spelling of attention (Shape/Gather/Concat/Reshape, Transpose, MatMul, Mul, Softmax).
const ATTN = '/down_blocks.0/attentions.0/transformer_blocks.0/attn2';

function withLoss(source: ModelProto): { model: ModelProto; weight: string } {
  const graph = source.graph!;
  const index = new GraphIndex(graph);
  const out = index.requireNode(`${ATTN}/to_out.0/Add`).output[0]!;
  const weight = index.requireNode(`${ATTN}/to_v/MatMul`).input[1]!;
  const nodes = [node('Mul', [out, out], ['squared']), node('ReduceMean', ['squared'], ['loss'], { keepdims: 0 })];
  return { model: Object.assign(create(ModelProtoSchema), source, { graph: addGraphOutput(copyGraph(graph, { node: [...graph.node, ...nodes] }), 'loss', 'float32', []) }), weight };
}

describe('autodiff on the diffusers UNet fixture', () => {
  it('differentiates a cross-attention block of a torch.onnx export (float32 finite differences)', async () => {
    const { model, weight } = withLoss(readModelSync(diffusersUnetModel));
    const grad = buildGradientGraph(model, { loss: 'loss', wrt: ['encoder_hidden_states', weight] });
    expect(grad.graph!.output.map((o) => o.name)).toEqual(['loss', 'grad/encoder_hidden_states', `grad/${weight}`]);
    // The forward nodes after the block (the rest of the UNet, its Convs included) are dropped.
    expect(grad.graph!.node.some((n) => n.name.startsWith('/up_blocks'))).toBe(false);

    const random = rng(9);
    const fill = (n: number) => Float32Array.from({ length: n }, () => 2 * random() - 1);
    const ehs = fill(2 * 77 * 32);
    const sample = fill(2 * 4 * 8 * 8);
    const feeds = (e: Float32Array) => ({
      sample: new ort.Tensor('float32', sample, [2, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.from([999n, 999n]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', e, [2, 77, 32]),
    });
    const opts = { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' } as const;
    const backward = await ort.InferenceSession.create(encodeModel(grad), opts);
    const forward = await ort.InferenceSession.create(encodeModel(model), opts);
    try {
      const out = await backward.run(feeds(ehs));
      const g = out['grad/encoder_hidden_states']!;
      expect(g.dims).toEqual([2, 77, 32]);
      expect(out[`grad/${weight}`]!.dims).toEqual([32, 32]);
      const scale = Math.max(...Array.from(g.data as Float32Array, Math.abs));
      expect(scale).toBeGreaterThan(1e-6);
      const h = 1e-2;
      let maxError = 0;
      for (const i of [0, 5, 77 * 32 + 3, 2 * 77 * 32 - 1]) {
        const plus = Float32Array.from(ehs);
        plus[i]! += h;
        const minus = Float32Array.from(ehs);
        minus[i]! -= h;
        const lp = Number((await forward.run(feeds(plus), ['loss']))['loss']!.data[0]);
        const lm = Number((await forward.run(feeds(minus), ['loss']))['loss']!.data[0]);
        const numeric = (lp - lm) / (2 * h);
        maxError = Math.max(maxError, Math.abs(Number(g.data[i]) - numeric) / scale);
      }
      console.log(`diffusers cross-attention: max error ${maxError.toExponential(1)} of the largest gradient element`);
      // float32 through a whole down block: the error is rounding of the loss over h (it grows when h
      // shrinks: 7e-3 at h = 3e-3), measured relative to the largest gradient element.
      expect(maxError).toBeLessThan(1e-2);
    } finally {
      await backward.release();
      await forward.release();
    }
  });

  it('leaves out the broadcast sums its inferred shapes show to be no-ops, with the same gradients', async () => {
    const { model, weight } = withLoss(readModelSync(diffusersUnetModel));
    const request = { loss: 'loss', wrt: ['encoder_hidden_states', weight, 'sample'] };
    const inferred = buildGradientGraph(model, request);
    const recordedOnly = buildGradientGraph(model, { ...request, inferShapes: false });
    // The export records no inner shapes: without inference every broadcast operand is summed back
    // at run time; with it only the sums over weights and biases stay.
    console.log(`diffusers UNet down block: ${countRuntimeBroadcastSums(recordedOnly)} run-time broadcast sums from recorded shapes, ${countRuntimeBroadcastSums(inferred)} with inferred ones`);
    expect(countRuntimeBroadcastSums(recordedOnly)).toBeGreaterThan(2 * countRuntimeBroadcastSums(inferred));

    const random = rng(4);
    const fill = (n: number) => Float32Array.from({ length: n }, () => 2 * random() - 1);
    const feeds = {
      sample: new ort.Tensor('float32', fill(2 * 4 * 8 * 8), [2, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.from([10n, 700n]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', fill(2 * 77 * 32), [2, 77, 32]),
    };
    const opts = { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' } as const;
    const [a, b] = await Promise.all([inferred, recordedOnly].map((m) => ort.InferenceSession.create(encodeModel(m), opts)));
    try {
      const [outA, outB] = [await a!.run(feeds), await b!.run(feeds)];
      for (const name of Object.keys(outB)) {
        expect(outA[name]!.dims, name).toEqual(outB[name]!.dims);
        expect(Array.from(outA[name]!.data as Float32Array), name).toEqual(Array.from(outB[name]!.data as Float32Array));
      }
    } finally {
      await a!.release();
      await b!.release();
    }
  });
});
