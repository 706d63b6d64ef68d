import { AttributeProto_AttributeType as AttrType, type NodeProto } from '../gen/onnx_pb.js';

/**
 * The shape of a Constant node's output, read from its attribute (`value` tensor dims; scalars for
 * value_float / value_int / value_string; [n] for the list forms), or undefined for any other node.
 * torch.onnx writes most scalar factors (attention scales, GELU's ½ and √2) as Constant nodes, and
 * knowing they are scalars lets rules skip reading the other operand's shape.
 */
export function constantShape(node: NodeProto | undefined): number[] | undefined {
  if (node === undefined || node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const a = node.attribute[0];
  if (a === undefined) return undefined;
  switch (a.type) {
    case AttrType.TENSOR:
      return a.t === undefined ? undefined : a.t.dims.map(Number);
    case AttrType.FLOAT:
    case AttrType.INT:
    case AttrType.STRING:
      return [];
    case AttrType.FLOATS:
      return [a.floats.length];
    case AttrType.INTS:
      return [a.ints.length];
    case AttrType.STRINGS:
      return [a.strings.length];
    default:
      return undefined;
  }
}

/**
 * The last dim of `value` when static: from its recorded shape, or, for a MatMul output whose
 * second operand has a static shape of rank ≥ 2 (a weight), that operand's last dim.
 */
export function staticLastDim(
  value: string,
  shapeOf: (v: string) => readonly (number | string | null)[] | undefined,
  producer: ReadonlyMap<string, NodeProto>,
): number | undefined {
  const own = shapeOf(value);
  const last = own !== undefined && own.length > 0 ? own[own.length - 1] : undefined;
  if (typeof last === 'number') return last;
  const node = producer.get(value);
  if (node?.opType !== 'MatMul' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const b = shapeOf(node.input[1]!);
  const n = b !== undefined && b.length >= 2 ? b[b.length - 1] : undefined;
  return typeof n === 'number' ? n : undefined;
}
