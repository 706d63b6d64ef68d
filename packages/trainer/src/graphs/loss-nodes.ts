import { create } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, AttributeProtoSchema, NodeProtoSchema, type NodeProto } from '@perfusion/onnx-graph';

/**
 * Nodes computing `loss = Σ weights · (Cast<float32>(prediction) − target)²` (keepdims 0: a scalar).
 * The cast keeps the sum in float32 for float16 models; the weights carry the normalisation
 * (mean over elements, mask, share of the batch), so one formula serves every loss the trainer needs.
 */
export function weightedSquaredErrorNodes(scope: string, prediction: string, target: string, weights: string, loss: string): NodeProto[] {
  const v = (name: string) => `${scope}/${name}`;
  return [
    node(v('Cast'), 'Cast', [prediction], [v('prediction')], { to: 1 }),
    node(v('Sub'), 'Sub', [v('prediction'), target], [v('error')]),
    node(v('Square'), 'Mul', [v('error'), v('error')], [v('squared')]),
    node(v('Weigh'), 'Mul', [v('squared'), weights], [v('weighted')]),
    node(v('ReduceSum'), 'ReduceSum', [v('weighted')], [loss], { keepdims: 0 }),
  ];
}

/** Nodes computing `loss = Σ Cast<float32>(value) · upstream`: its gradient w.r.t. anything is a vector-Jacobian product. */
export function innerProductNodes(scope: string, value: string, upstream: string, loss: string): NodeProto[] {
  const v = (name: string) => `${scope}/${name}`;
  return [
    node(v('Cast'), 'Cast', [value], [v('value')], { to: 1 }),
    node(v('Mul'), 'Mul', [v('value'), upstream], [v('product')]),
    node(v('ReduceSum'), 'ReduceSum', [v('product')], [loss], { keepdims: 0 }),
  ];
}

function node(name: string, opType: string, input: string[], output: string[], ints: Record<string, number> = {}): NodeProto {
  const attribute = Object.entries(ints).map(([key, value]) => create(AttributeProtoSchema, { name: key, type: AttributeProto_AttributeType.INT, i: BigInt(value) }));
  return create(NodeProtoSchema, { name, opType, input, output, attribute });
}
