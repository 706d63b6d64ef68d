import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { AttributeProto_AttributeType, AttributeProtoSchema, NodeProtoSchema, type NodeProto } from '../src/index.js';
import { inferRanks } from '../src/autodiff/static-rank.js';

function node(opType: string, input: string[], output: string[], ints: Record<string, number[] | number> = {}): NodeProto {
  const attribute = Object.entries(ints).map(([name, value]) =>
    Array.isArray(value)
      ? create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: value.map(BigInt) })
      : create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) }),
  );
  return create(NodeProtoSchema, { name: output[0], opType, input, output, attribute });
}

// torch.onnx's attention reshapes, with no value_info: the shape operand is a Concat of Unsqueezed
// scalars taken from Shape(x), so only ranks and 1-D lengths can be followed.
describe('inferRanks', () => {
  it('follows ranks through shape arithmetic, reshapes, matmuls, gathers and reductions', () => {
    const recorded = new Map<string, number[]>([
      ['x', [2, 4096, 320]],
      ['w', [320, 320]],
      ['heads', []],
    ]);
    const nodes = [
      node('MatMul', ['x', 'w'], ['q']),
      node('Shape', ['q'], ['q_shape']),
      node('Gather', ['q_shape', 'heads'], ['batch']),
      node('Unsqueeze', ['batch'], ['batch_1'], { axes: [0] }),
      node('Concat', ['batch_1', 'batch_1', 'batch_1', 'batch_1'], ['new_shape'], { axis: 0 }),
      node('Reshape', ['q', 'new_shape'], ['q4']),
      node('Transpose', ['q4'], ['q4t'], { perm: [0, 2, 1, 3] }),
      node('MatMul', ['q4t', 'q4t'], ['scores']),
      node('Softmax', ['scores'], ['probs'], { axis: -1 }),
      node('ReduceMean', ['probs'], ['mean'], { axes: [-1], keepdims: 0 }),
      node('Add', ['mean', 'heads'], ['shifted']),
      node('CustomOp', ['shifted'], ['unknown']),
    ];
    const rank = inferRanks(nodes, (v) => recorded.get(v));
    expect(['q', 'q_shape', 'batch', 'batch_1', 'new_shape', 'q4', 'q4t', 'scores', 'probs', 'mean', 'shifted', 'unknown'].map(rank)).toEqual([
      3, 1, 0, 1, 1, 4, 4, 4, 4, 3, 3, undefined,
    ]);
  });
});
