import { AttributeProto_AttributeType as AttrType, type NodeProto } from '../gen/onnx_pb.js';

// Attribute reads for shape inference, where a missing attribute takes the op's default.

export function attr(node: NodeProto, name: string) {
  return node.attribute.find((a) => a.name === name);
}
export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.type === AttrType.INT ? Number(a.i) : fallback;
}
export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a?.type === AttrType.INTS ? a.ints.map(Number) : undefined;
}
export function stringAttr(node: NodeProto, name: string): string | undefined {
  const a = attr(node, name);
  return a?.type === AttrType.STRING ? new TextDecoder().decode(a.s) : undefined;
}
export function axis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}
