import { AttributeProto_AttributeType as AttrType, type NodeProto, type TensorProto } from '../gen/onnx_pb.js';
import { isExternalTensor } from '../external-data/info.js';
import { tensorFromProto } from '../tensor-proto.js';

/** The largest constant read for shape inference: shape operands, axes, scales — never weights. */
const MAX_ELEMENTS = 64;

/**
 * The numbers a small constant holds (a Constant node's value or an inline initializer), as
 * JavaScript numbers, or undefined when the value is not such a constant. Shape inference reads
 * Reshape targets, axes, pads and Resize scales this way.
 */
export function constantNumbers(node: NodeProto | undefined, initializer: TensorProto | undefined): number[] | undefined {
  if (initializer !== undefined) return tensorNumbers(initializer);
  if (node === undefined || node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const a = node.attribute[0];
  switch (a?.type) {
    case AttrType.TENSOR:
      return a.t === undefined ? undefined : tensorNumbers(a.t);
    case AttrType.INT:
      return [Number(a.i)];
    case AttrType.INTS:
      return a.ints.map(Number);
    case AttrType.FLOAT:
      return [a.f];
    case AttrType.FLOATS:
      return [...a.floats];
    default:
      return undefined;
  }
}

function tensorNumbers(tensor: TensorProto): number[] | undefined {
  if (isExternalTensor(tensor) || tensor.dims.reduce((n, d) => n * Number(d), 1) > MAX_ELEMENTS) return undefined;
  try {
    return Array.from(tensorFromProto(tensor).data as ArrayLike<number | bigint>, Number);
  } catch {
    return undefined; // an element type tensor-core cannot read: not a shape operand anyway
  }
}
