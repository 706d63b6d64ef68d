import { create } from '@bufbuild/protobuf';
import type { AttributeProto, GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../gen/onnx_pb.js';
import {
  AttributeProtoSchema,
  GraphProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
} from '../gen/onnx_pb.js';

type Fields<T> = Partial<Omit<T, '$typeName' | '$unknown'>>;

// Passes return new messages instead of mutating their input. A shallow copy made this way keeps
// protobuf-es's field-presence bookkeeping (proto2 defaults live on the prototype) and shares
// everything not replaced, so tensor payloads are never duplicated.

/** A shallow copy of `graph` with `changes` applied. */
export function copyGraph(graph: GraphProto, changes: Fields<GraphProto>): GraphProto {
  return Object.assign(create(GraphProtoSchema), graph, changes);
}

/** A shallow copy of `node` with `changes` applied. */
export function copyNode(node: NodeProto, changes: Fields<NodeProto>): NodeProto {
  return Object.assign(create(NodeProtoSchema), node, changes);
}

/** A shallow copy of `attribute` with `changes` applied. */
export function copyAttribute(attribute: AttributeProto, changes: Fields<AttributeProto>): AttributeProto {
  return Object.assign(create(AttributeProtoSchema), attribute, changes);
}

/** A shallow copy of `info` with `changes` applied. */
export function copyValueInfo(info: ValueInfoProto, changes: Fields<ValueInfoProto>): ValueInfoProto {
  return Object.assign(create(ValueInfoProtoSchema), info, changes);
}

/** A shallow copy of `tensor` with `changes` applied; the payload is shared, not copied. */
export function copyTensor(tensor: TensorProto, changes: Fields<TensorProto>): TensorProto {
  return Object.assign(create(TensorProtoSchema), tensor, changes);
}
