import { AttributeProto_AttributeType as AttrType, type NodeProto } from '../gen/onnx_pb.js';
import { constantShape } from './static-shape.js';

/** Ops whose inputs broadcast: the output's rank is the largest input rank. */
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Max', 'Min', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'PRelu']);

/** Ops whose outputs have their first input's rank. */
const SAME_RANK = new Set([
  'Identity', 'Cast', 'CastLike', 'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Not', 'Sign',
  'Floor', 'Ceil', 'Round', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'InstanceNormalization', 'BatchNormalization', 'Conv',
  'ConvTranspose', 'Resize', 'Pad', 'Slice', 'Transpose', 'Tile', 'Clip', 'Dropout', 'Split', 'Concat', 'CumSum', 'Trilu',
  'Sin', 'Cos', 'LeakyRelu', 'Gelu', 'HardSigmoid', 'Softplus', 'IsNaN', 'IsInf',
]);

const REDUCTIONS = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2', 'ReduceL1', 'ReduceSumSquare', 'ReduceLogSumExp']);

/**
 * Ranks of a graph's values, propagated forward from the recorded ones (inputs, initializers,
 * value_info, Constants) through the ops diffusion exports use, for graphs that record no shapes of
 * inner values (torch.onnx without shape inference, the project's fixtures). Rules use ranks to
 * emit a Transpose rather than a rank-agnostic Einsum, which onnxruntime cannot fold into MatMul.
 * Also tracks the lengths of 1-D integer tensors (shape operands of Reshape / Expand / ConstantOfShape).
 */
export function inferRanks(nodes: readonly NodeProto[], recorded: (value: string) => readonly unknown[] | undefined): (value: string) => number | undefined {
  const ranks = new Map<string, number>();
  const lengths = new Map<string, number>(); // 1-D values whose length is known
  const rank = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : (recorded(v)?.length ?? ranks.get(v)));
  const length = (v: string | undefined): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const shape = recorded(v);
    if (shape !== undefined && shape.length === 1 && typeof shape[0] === 'number') return shape[0];
    return lengths.get(v);
  };
  const axesCount = (node: NodeProto): number | undefined => {
    const attr = node.attribute.find((a) => a.name === 'axes' && a.type === AttrType.INTS);
    return attr !== undefined ? attr.ints.length : length(node.input[1]);
  };
  for (const node of nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const inputRanks = node.input.map((v) => rank(v));
    const first = inputRanks[0];
    let out: number | undefined;
    const op = node.opType;
    if (op === 'Constant') out = constantShape(node)?.length;
    else if (BROADCASTING.has(op)) out = inputRanks.every((r, i) => r !== undefined || node.input[i] === '') ? Math.max(...inputRanks.filter((r): r is number => r !== undefined)) : undefined;
    else if (SAME_RANK.has(op)) out = first;
    else if (op === 'MatMul') {
      const [a, b] = inputRanks;
      if (a !== undefined && b !== undefined) out = a === 1 ? b - 1 : b === 1 ? a - 1 : Math.max(a, b);
    } else if (op === 'Gemm' || op === 'Flatten' || op === 'NonZero') out = 2;
    else if (op === 'Shape' || op === 'Range') out = 1;
    else if (op === 'Size') out = 0;
    else if (op === 'Gather') out = first !== undefined && inputRanks[1] !== undefined ? first + inputRanks[1] - 1 : undefined;
    else if (op === 'Unsqueeze') {
      const n = axesCount(node);
      out = first !== undefined && n !== undefined ? first + n : undefined;
    } else if (op === 'Squeeze') {
      const n = axesCount(node);
      out = first !== undefined && n !== undefined ? first - n : undefined;
    } else if (op === 'Reshape' || op === 'ConstantOfShape') out = length(node.input[op === 'Reshape' ? 1 : 0]);
    else if (op === 'Expand') {
      const n = length(node.input[1]);
      out = first !== undefined && n !== undefined ? Math.max(first, n) : undefined;
    } else if (REDUCTIONS.has(op)) {
      const keep = Number(node.attribute.find((a) => a.name === 'keepdims')?.i ?? 1n) !== 0;
      const n = axesCount(node);
      out = keep ? first : first !== undefined && n !== undefined ? first - n : undefined;
    }
    if (out !== undefined) for (const o of node.output) if (o !== '') ranks.set(o, out);
    // Lengths of 1-D values: shapes of tensors and their concatenations.
    const output = node.output[0];
    if (output === undefined || out !== 1) continue;
    let n: number | undefined;
    if (op === 'Shape') n = node.attribute.some((a) => a.name === 'start' || a.name === 'end') ? undefined : first;
    else if (op === 'Constant') n = constantShape(node)?.[0];
    else if (op === 'Concat') {
      const parts = node.input.map((v) => length(v));
      n = parts.every((p) => p !== undefined) ? parts.reduce((a, b) => a! + b!, 0) : undefined;
    } else if (op === 'Unsqueeze' && first === 0) n = 1;
    else if (op === 'Cast' || op === 'Identity') n = length(node.input[0]);
    if (n !== undefined) lengths.set(output, n);
  }
  return rank;
}
