import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { addGraphOutput, encodeModel, GraphIndex, readModelSync, type Dim, type NodeProto } from '../src/index.js';
import { constantNumbers } from '../src/autodiff/constant-values.js';
import { inferShapes } from '../src/autodiff/infer-shapes.js';
import { constantShape } from '../src/autodiff/static-shape.js';
import { staticElemType } from '../src/autodiff/static-type.js';
import { topologicalOrder } from '../src/passes/topological-sort.js';
import type { ModelProto } from '../src/gen/onnx_pb.js';
import { node } from './autodiff-support.js';
import { diffusersUnetIo } from './helpers/ort.js';
import { diffusersUnetModel } from './helpers/paths.js';

/** Shapes inferred for a list of nodes from recorded input shapes and constant operands. */
function infer(nodes: NodeProto[], recorded: Record<string, Dim[]>, constants: Record<string, number[]> = {}) {
  const withConstants = new Map(Object.entries(constants).map(([k, v]) => [k, v]));
  return inferShapes(
    nodes,
    (v) => recorded[v] ?? (withConstants.has(v) ? [withConstants.get(v)!.length] : undefined),
    (v) => withConstants.get(v),
  );
}

/** The same inference the autodiff runs on a whole model. */
function inferModel(model: ModelProto) {
  const graph = model.graph!;
  const index = new GraphIndex(graph);
  const nodes = topologicalOrder(graph.node, graph.name);
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output) if (o !== '') producer.set(o, n);
  const recorded = (v: string) => index.valueType(v)?.shape ?? constantShape(producer.get(v));
  const shapeOf = inferShapes(nodes, recorded, (v) => constantNumbers(producer.get(v), index.initializer(v)));
  return { nodes, producer, index, shapeOf };
}

describe('inferShapes', () => {
  it('keeps symbolic sizes through a head split, attention and the merge back (constant reshape targets)', () => {
    const nodes = [
      node('Reshape', ['x', 'flat'], ['tokens']), // [b, c, h, w] → [b, c, h·w]
      node('Transpose', ['tokens'], ['seq'], { perm: [0, 2, 1] }),
      node('MatMul', ['seq', 'w'], ['q']),
      node('Reshape', ['q', 'heads'], ['q4']),
      node('Transpose', ['q4'], ['qh'], { perm: [0, 2, 1, 3] }),
      node('Transpose', ['q4'], ['kt'], { perm: [0, 2, 3, 1] }),
      node('MatMul', ['qh', 'kt'], ['scores']),
      node('Mul', ['scores', 'scale'], ['scaled']),
      node('Softmax', ['scaled'], ['probs'], { axis: -1 }),
      node('MatMul', ['probs', 'qh'], ['mixed']),
      node('Transpose', ['mixed'], ['back'], { perm: [0, 2, 1, 3] }),
      node('Reshape', ['back', 'merge'], ['out']),
    ];
    const shapeOf = infer(nodes, { x: ['batch', 32, 'height', 'width'], w: [32, 32], scale: [] }, { flat: [0, 32, -1], heads: [0, -1, 4, 8], merge: [0, 0, 32] });
    expect(shapeOf('seq')).toEqual(['batch', 'height*width', 32]);
    expect(shapeOf('q4')).toEqual(['batch', 'height*width', 4, 8]);
    expect(shapeOf('scores')).toEqual(['batch', 4, 'height*width', 'height*width']);
    expect(shapeOf('probs')).toEqual(shapeOf('scores'));
    expect(shapeOf('mixed')).toEqual(['batch', 4, 'height*width', 8]);
    expect(shapeOf('out')).toEqual(['batch', 'height*width', 32]);
  });

  it("follows torch's shape arithmetic: Shape, Gather, Unsqueeze, Mul, Concat into Reshape", () => {
    const nodes = [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'i0'], ['n']),
      node('Gather', ['s', 'i2'], ['h']),
      node('Gather', ['s', 'i3'], ['w']),
      node('Mul', ['h', 'w'], ['hw']),
      node('Unsqueeze', ['n'], ['n1'], { axes: [0] }),
      node('Unsqueeze', ['hw'], ['hw1'], { axes: [0] }),
      node('Concat', ['n1', 'c', 'hw1'], ['target'], { axis: 0 }),
      node('Reshape', ['x', 'target'], ['y']),
      node('Shape', ['y'], ['ys']),
      node('Reshape', ['y', 's'], ['x_again']),
    ];
    const shapeOf = infer(nodes, { x: ['batch', 64, 'height', 'width'], i0: [], i2: [], i3: [] }, { i0: [0], i2: [2], i3: [3], c: [64] });
    expect(shapeOf('y')).toEqual(['batch', 64, 'height*width']);
    expect(shapeOf('ys')).toEqual([3]);
    expect(shapeOf('x_again')).toEqual(['batch', 64, 'height', 'width']);
  });

  it("cuts CLIP's position ids to the sequence's length and adds them to the token embeddings", () => {
    const nodes = [
      node('Shape', ['input_ids'], ['length'], { start: 1, end: 2 }),
      node('Slice', ['position_ids', 'zero', 'length', 'one'], ['positions']),
      node('Gather', ['table', 'positions'], ['position_embeddings']),
      node('Gather', ['tokens', 'input_ids'], ['token_embeddings']),
      node('Add', ['token_embeddings', 'position_embeddings'], ['embeddings']),
      node('Slice', ['other', 'zero', 'length', 'one'], ['unrelated']),
    ];
    const shapeOf = infer(nodes, { input_ids: ['batch', 'sequence'], position_ids: [1, 77], table: [77, 16], tokens: [500, 16], other: [2, 'n'] }, { zero: [0], one: [1] });
    // min(sequence, 77) is not sequence, but only sequence ≤ 77 (or 77 = 1) broadcasts at all.
    expect(shapeOf('positions')).toEqual([1, '(min sequence 77)']);
    expect(shapeOf('embeddings')).toEqual(['batch', 'sequence', 16]);
    expect(shapeOf('unrelated')).toEqual([2, null]);
  });

  it('computes fixed sizes of convolutions, resizes, slices, splits, reductions and gathers', () => {
    const nodes = [
      node('Conv', ['x', 'k'], ['down'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('Resize', ['down', '', 'twice'], ['up']),
      node('Slice', ['up', 'starts', 'ends', 'axes'], ['cut']),
      node('Split', ['cut'], ['left', 'right'], { axis: 3 }),
      node('ReduceMean', ['left', 'axes'], ['mean'], { keepdims: 1 }),
      node('ReduceSum', ['left', 'axes'], ['sum'], { keepdims: 0 }),
      node('Gather', ['table', 'ids'], ['embedded']),
      node('Gemm', ['flat', 'fc'], ['dense'], { transB: 1 }),
    ];
    const shapeOf = infer(
      nodes,
      { x: [2, 3, 9, 9], k: [8, 3, 3, 3], table: [100, 16], ids: ['batch', 77], flat: ['batch', 12], fc: [5, 12] },
      { twice: [1, 1, 2, 2], starts: [1], ends: [2 ** 63], axes: [3] },
    );
    expect(shapeOf('down')).toEqual([2, 8, 5, 5]);
    expect(shapeOf('up')).toEqual([2, 8, 10, 10]);
    expect(shapeOf('cut')).toEqual([2, 8, 10, 9]);
    expect(shapeOf('left')).toEqual([2, 8, 10, null]); // 9 does not split in two evenly
    expect(shapeOf('mean')).toEqual([2, 8, 10, 1]);
    expect(shapeOf('sum')).toEqual([2, 8, 10]);
    expect(shapeOf('embedded')).toEqual(['batch', 77, 16]);
    expect(shapeOf('dense')).toEqual(['batch', 5]);
  });

  it('says nothing it cannot be sure of', () => {
    const nodes = [
      node('Add', ['a', 'b'], ['two_names']), // either may be 1 at run time
      node('Add', ['a', 'c'], ['with_fixed']), // a must be 1 or 7
      node('Reshape', ['a2', 'odd'], ['uneven']), // 3·n over 2: not a whole product
      node('Conv', ['img', 'k'], ['strided'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('Conv', ['img', 'k'], ['strided_again'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('Slice', ['a2', 'starts', 'ends', 'axes'], ['part']),
      node('Resize', ['img', '', 'half'], ['halved']),
      node('MyCustomOp', ['a'], ['custom']),
    ];
    const shapeOf = infer(
      nodes,
      { a: ['n', 1], b: ['m', 1], c: [7], a2: [3, 'n'], img: [1, 3, 'h', 'w'], k: [4, 3, 3, 3] },
      { odd: [2, -1], starts: [1], ends: [2 ** 31 - 1], axes: [1], half: [1, 1, 0.5, 0.5] },
    );
    expect(shapeOf('two_names')).toEqual([null, 1]);
    expect(shapeOf('with_fixed')).toEqual(['n', 7]);
    expect(shapeOf('uneven')).toEqual([2, null]);
    // A strided size is a new name, but the same one for the same expression.
    expect(shapeOf('strided')![2]).toMatch(/^\(conv h /);
    expect(shapeOf('strided_again')).toEqual(shapeOf('strided'));
    expect(shapeOf('part')).toEqual([3, null]);
    expect(shapeOf('halved')).toEqual([1, 3, null, null]);
    expect(shapeOf('custom')).toBeUndefined();
  });

  it('agrees with onnxruntime on every value of a torch.onnx UNet export it gives a shape for', async () => {
    const source = readModelSync(diffusersUnetModel);
    const { nodes, producer, index, shapeOf } = inferModel(source);
    const { feeds } = diffusersUnetIo();
    // Expose each float value with an inferred shape as an output, then compare with what runs.
    const values = nodes.flatMap((n) => n.output).filter((v) => v !== '' && shapeOf(v) !== undefined);
    const floats = values.filter((v) => staticElemType(v, (w) => index.valueType(w)?.elemType, producer) === 1);
    let graph = source.graph!;
    for (const v of floats) if (!graph.output.some((o) => o.name === v)) graph = addGraphOutput(graph, v, 'float32');
    const session = await ort.InferenceSession.create(encodeModel({ ...source, graph }), { graphOptimizationLevel: 'disabled' });
    const results = await session.run(feeds);
    await session.release();

    const bound = new Map<string, number>();
    let fullyKnown = 0;
    for (const v of floats) {
      const inferred = shapeOf(v)!;
      const actual = results[v]!.dims;
      expect(inferred.length, v).toBe(actual.length);
      inferred.forEach((d, i) => {
        if (typeof d === 'number') expect(d, `${v} dim ${i}`).toBe(actual[i]);
        if (typeof d === 'string') {
          // One symbolic size is one run-time size everywhere it appears.
          if (!bound.has(d)) bound.set(d, actual[i]!);
          expect(actual[i], `${v} dim ${i} (${d})`).toBe(bound.get(d));
        }
      });
      if (inferred.every((d) => d !== null)) fullyKnown++;
    }
    // The export's inner values carry no shapes; nearly all of them are inferred in full.
    expect(floats.length).toBeGreaterThan(200);
    expect(fullyKnown / floats.length).toBeGreaterThan(0.9);
  });
});
