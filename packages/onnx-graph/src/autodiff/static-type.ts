import type { NodeProto } from '../gen/onnx_pb.js';

/** Ops whose output has the element type of their first input. */
const SAME_AS_FIRST_INPUT: ReadonlySet<string> = new Set([
  'Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Concat', 'Split', 'Slice',
  'Gather', 'GatherND', 'GatherElements', 'Pad', 'Tile', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'MatMul', 'Gemm',
  'Softmax', 'Sigmoid', 'Tanh', 'Relu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Pow', 'LayerNormalization', 'InstanceNormalization', 'Conv', 'Resize',
]);

/**
 * The element type of `value`: recorded in the graph (`recorded`), else followed back through
 * producers that keep their input's type (Where: its second input; Cast: its `to`). Graphs often
 * record types only for inputs, outputs and initializers; rules that need a kernel-specific type
 * (float16 scatter) ask this.
 */
export function staticElemType(
  value: string,
  recorded: (value: string) => number | undefined,
  producer: ReadonlyMap<string, NodeProto>,
): number | undefined {
  for (let v: string | undefined = value, hops = 0; v !== undefined && hops < 64; hops++) {
    const known = recorded(v);
    if (known !== undefined) return known;
    const node = producer.get(v);
    if (node === undefined || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
    if (node.opType === 'Cast') return Number(node.attribute.find((a) => a.name === 'to')?.i ?? NaN) || undefined;
    v = node.opType === 'Where' ? node.input[1] : SAME_AS_FIRST_INPUT.has(node.opType) ? node.input[0] : undefined;
  }
  return undefined;
}
