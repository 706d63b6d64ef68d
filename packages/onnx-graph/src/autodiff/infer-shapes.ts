import type { NodeProto } from '../gen/onnx_pb.js';
import type { Dim } from '../shape-info.js';
import { heldDims, sliceOfShape, type Known, type Shape } from './held-sizes.js';
import { attr, axis, intAttr, intsAttr, stringAttr } from './node-attributes.js';
import { constantShape } from './static-shape.js';
import { broadcastDim, clampedDim, divide, fixedDim, fixedValue, fromDim, multiply, ONE, opaqueDim, sameDim, sameNames, toDim, type SymDim } from './dim-product.js';

/** Ops whose first output has their first input's shape. */
const SAME_SHAPE = new Set([
  'Identity', 'Cast', 'CastLike', 'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Not', 'Sign',
  'Floor', 'Ceil', 'Round', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'InstanceNormalization', 'BatchNormalization',
  'GroupNormalization', 'Clip', 'Dropout', 'CumSum', 'Trilu', 'Sin', 'Cos', 'LeakyRelu', 'Gelu', 'HardSigmoid', 'Softplus',
  'IsNaN', 'IsInf', 'Elu', 'Selu', 'Mish', 'HardSwish', 'Shrink', 'ThresholdedRelu',
]);

/** Ops whose inputs broadcast together (multidirectionally). */
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Max', 'Min', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'PRelu']);

const REDUCTIONS = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2', 'ReduceL1', 'ReduceSumSquare', 'ReduceLogSumExp']);

/** Slice ends at or past this mean "to the end" (torch writes INT64_MAX, others INT32_MAX). */
const TO_THE_END = 2 ** 31 - 1;

/**
 * Shapes of a graph's values, followed forward from the recorded ones (inputs, initializers,
 * value_info, Constants) through the ops diffusion models use, keeping symbolic sizes symbolic:
 * a Reshape to `[0, -1, heads, 8]` of `[batch, height·width, 32]` gives `[batch, height·width,
 * heads, 8]`. Graphs built without shape inference (the project's own, many torch exports) record
 * no inner shapes, and without them the autodiff cannot see that a broadcast sum is a no-op.
 *
 * Conservative by construction: a dim is given only where the op's definition fixes it (an
 * unknown dim is null, an unknown rank undefined), since a wrong "same shape" would drop a
 * gradient's reduction. Two values whose dims print the same have the same size at run time.
 */
export function inferShapes(
  nodes: readonly NodeProto[],
  recorded: (value: string) => readonly Dim[] | undefined,
  constants: (value: string) => number[] | undefined,
): (value: string) => Dim[] | undefined {
  const shapes = new Map<string, Shape>();
  const dims = new Map<string, Shape>();
  const known: Known = {
    shape: (v) => {
      if (v === '') return undefined;
      const own = recorded(v);
      return own !== undefined ? own.map(fromDim) : shapes.get(v);
    },
    dims: (v) => dims.get(v) ?? constants(v)?.map((n) => (Number.isInteger(n) ? fixedDim(n) : null)),
    numbers: constants,
  };
  for (const node of nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const outs = outputShapes(node, known);
    node.output.forEach((o, i) => {
      const s = outs[i];
      if (o !== '' && s !== undefined) shapes.set(o, s);
    });
    const held = heldDims(node, known);
    if (held !== undefined && node.output[0]) dims.set(node.output[0], held);
  }
  return (v) => known.shape(v)?.map(toDim);
}

/** Shapes of a node's outputs (undefined where not known), in output order. */
function outputShapes(node: NodeProto, k: Known): (Shape | undefined)[] {
  const op = node.opType;
  const x = k.shape(node.input[0] ?? '');
  if (op === 'Constant') return [constantShape(node)?.map(fixedDim)];
  if (SAME_SHAPE.has(op)) return [x];
  if (BROADCASTING.has(op)) return [broadcast(node.input.map((v) => k.shape(v)))];
  switch (op) {
    case 'MatMul':
      return [matMul(x, k.shape(node.input[1]!))];
    case 'Gemm': {
      const [a, b] = [x, k.shape(node.input[1]!)];
      if (a?.length !== 2 || b?.length !== 2) return [undefined];
      return [[a[intAttr(node, 'transA', 0) ? 1 : 0]!, b[intAttr(node, 'transB', 0) ? 0 : 1]!]];
    }
    case 'Transpose': {
      if (x === undefined) return [undefined];
      const perm = intsAttr(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return [perm.map((p) => x[p] ?? null)];
    }
    case 'Reshape':
      return [reshape(x, k.dims(node.input[1]!), intAttr(node, 'allowzero', 0) === 1)];
    case 'Expand': {
      const target = k.dims(node.input[1]!);
      return [target === undefined ? undefined : broadcast([x, target])];
    }
    case 'ConstantOfShape':
      return [k.dims(node.input[0]!)];
    case 'Shape': {
      const n = x === undefined ? undefined : sliceOfShape(node, x).length;
      return [n === undefined ? undefined : [fixedDim(n)]];
    }
    case 'Conv':
      return [conv(node, x, k.shape(node.input[1]!))];
    case 'Gather':
      return [gather(node, x, k.shape(node.input[1]!))];
    case 'Unsqueeze':
      return [unsqueeze(x, intsAttr(node, 'axes') ?? k.numbers(node.input[1] ?? ''))];
    case 'Squeeze':
      return [squeeze(x, intsAttr(node, 'axes') ?? k.numbers(node.input[1] ?? ''))];
    case 'Concat':
      return [concat(node.input.map((v) => k.shape(v)), intAttr(node, 'axis', 0))];
    case 'Slice':
      return [slice(node, x, k)];
    case 'Split':
      return split(node, x, k);
    case 'Resize':
      return [resize(node, x, k)];
    default:
      if (REDUCTIONS.has(op)) return [reduce(node, x, k)];
      return [];
  }
}

function broadcast(shapes: readonly (Shape | undefined)[]): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const all = shapes as Shape[];
  const rank = Math.max(...all.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    let d: SymDim | undefined;
    for (const s of all) {
      const at = s[s.length - rank + i];
      if (s.length - rank + i >= 0) d = d === undefined ? at : broadcastDim(d, at);
    }
    return d ?? null;
  });
}

function matMul(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined || b === undefined || a.length === 0 || b.length === 0) return undefined;
  if (a.length === 1 && b.length === 1) return [];
  if (a.length === 1) return [...b.slice(0, -2), b[b.length - 1]!];
  if (b.length === 1) return a.slice(0, -1);
  const batch = broadcast([a.slice(0, -2), b.slice(0, -2)])!;
  return [...batch, a[a.length - 2]!, b[b.length - 1]!];
}

/** Reshape's target with `0` (copy the input's dim, unless allowzero) and one `-1` (the rest) resolved. */
function reshape(x: Shape | undefined, target: Shape | undefined, allowZero: boolean): Shape | undefined {
  if (target === undefined) return undefined;
  const resolved = target.map((d, i) => (!allowZero && fixedValue(d) === 0 ? (x?.[i] ?? null) : d));
  const inferred = resolved.findIndex((d) => fixedValue(d) === -1);
  if (inferred < 0) return resolved;
  let rest: SymDim = x === undefined ? null : x.reduce<SymDim>((p, d) => multiply(p, d), ONE);
  resolved.forEach((d, i) => {
    if (i !== inferred) rest = divide(rest, d);
  });
  return resolved.map((d, i) => (i === inferred ? rest : d));
}

function conv(node: NodeProto, x: Shape | undefined, w: Shape | undefined): Shape | undefined {
  if (x === undefined || w === undefined || x.length < 3 || w.length !== x.length) return undefined;
  const spatial = x.length - 2;
  const autoPad = stringAttr(node, 'auto_pad');
  if (autoPad !== undefined && autoPad !== 'NOTSET') return [x[0]!, w[0]!, ...x.slice(2).map(() => null)];
  const kernel = intsAttr(node, 'kernel_shape') ?? w.slice(2).map(fixedValue);
  const strides = intsAttr(node, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = intsAttr(node, 'dilations') ?? new Array<number>(spatial).fill(1);
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  const out = x.slice(2).map((d, i) => {
    const kSize = kernel[i];
    if (kSize === undefined || d === null) return null;
    const span = dilations[i]! * (kSize - 1) + 1;
    const padded = pads[i]! + pads[i + spatial]!;
    const n = fixedValue(d);
    if (n !== undefined) return fixedDim(Math.floor((n + padded - span) / strides[i]!) + 1);
    if (strides[i] === 1 && padded === span - 1) return d;
    return opaqueDim(`conv ${toDim(d)} k${kSize} s${strides[i]} p${padded} d${dilations[i]}`);
  });
  return [x[0]!, w[0]!, ...out];
}

function gather(node: NodeProto, data: Shape | undefined, indices: Shape | undefined): Shape | undefined {
  if (data === undefined || indices === undefined) return undefined;
  const a = axis(intAttr(node, 'axis', 0), data.length);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

function unsqueeze(x: Shape | undefined, axes: number[] | undefined): Shape | undefined {
  if (x === undefined || axes === undefined) return undefined;
  const rank = x.length + axes.length;
  const at = new Set(axes.map((a) => axis(a, rank)));
  const out: SymDim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? fixedDim(1) : (x[next++] ?? null));
  return out;
}

function squeeze(x: Shape | undefined, axes: number[] | undefined): Shape | undefined {
  if (x === undefined) return undefined;
  if (axes === undefined) return x.every((d) => fixedValue(d) !== undefined) ? x.filter((d) => fixedValue(d) !== 1) : undefined;
  const at = new Set(axes.map((a) => axis(a, x.length)));
  return x.filter((_, i) => !at.has(i));
}

function concat(parts: readonly (Shape | undefined)[], axisAttr: number): Shape | undefined {
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  const all = parts as Shape[];
  const rank = all[0]!.length;
  const a = axis(axisAttr, rank);
  return Array.from({ length: rank }, (_, i) => {
    if (i === a) return sumOf(all.map((p) => p[i] ?? null));
    // Concat requires the other dims to agree, so any operand's known dim is the output's.
    return all.map((p) => p[i] ?? null).find((d) => d !== null) ?? null;
  });
}

/** A sum of dims: whole numbers add; equal products add their factors; anything else is unknown. */
function sumOf(ds: readonly SymDim[]): SymDim {
  const first = ds[0];
  if (first === undefined || first === null) return null;
  let factor = 0;
  for (const d of ds) {
    if (d === null || !sameNames(d, first)) return null;
    factor += d.factor;
  }
  return { factor, names: first.names };
}

function slice(node: NodeProto, x: Shape | undefined, k: Known): Shape | undefined {
  if (x === undefined) return undefined;
  // Operands are constants, or sizes worked out from shapes (torch's chunk: half the last dim;
  // CLIP's position ids cut to the sequence's length).
  const numbers = (v: string) => {
    const held = k.dims(v)?.map(fixedValue);
    return k.numbers(v) ?? (held?.every((n) => n !== undefined) ? (held as number[]) : undefined);
  };
  const starts = numbers(node.input[1] ?? '');
  const ends = k.dims(node.input[2] ?? '');
  if (starts === undefined || ends === undefined || ends.length !== starts.length) return undefined;
  const axes = node.input[3] ? numbers(node.input[3]) : starts.map((_, i) => i);
  const steps = node.input[4] ? numbers(node.input[4]) : starts.map(() => 1);
  if (axes === undefined || steps === undefined) return undefined;
  const out = [...x];
  axes.forEach((a, i) => {
    const at = axis(a, x.length);
    out[at] = sliceDim(x[at] ?? null, starts[i]!, ends[i]!, steps[i]!);
  });
  return out;
}

function sliceDim(d: SymDim, start: number, endDim: SymDim, step: number): SymDim {
  const end = fixedValue(endDim);
  const n = fixedValue(d);
  if (end === undefined) {
    // [0, e) with e a size: all of d when e is d, min(e, n) of a fixed n.
    if (endDim === null || step !== 1 || start !== 0) return null;
    if (n !== undefined) return clampedDim(endDim, n);
    return sameDim(d, endDim) ? d : null;
  }
  if (n === undefined) return step === 1 && start === 0 && end >= TO_THE_END ? d : null;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) return fixedDim(Math.max(0, Math.ceil((clamp(end, 0, n) - clamp(start, 0, n)) / step)));
  return fixedDim(Math.max(0, Math.ceil((clamp(end, -1, n - 1) - clamp(start, -1, n - 1)) / step)));
}

function split(node: NodeProto, x: Shape | undefined, k: Known): (Shape | undefined)[] {
  if (x === undefined) return [];
  const at = axis(intAttr(node, 'axis', 0), x.length);
  const sizes = (node.input[1] ? k.numbers(node.input[1]) : undefined) ?? intsAttr(node, 'split');
  const parts: SymDim[] =
    sizes !== undefined ? sizes.map(fixedDim) : node.output.map(() => divide(x[at] ?? null, fixedDim(node.output.length)));
  return parts.map((d) => x.map((xd, i) => (i === at ? d : xd)));
}

function resize(node: NodeProto, x: Shape | undefined, k: Known): Shape | undefined {
  // Cropping, a subset of axes or an aspect-ratio policy make the output differ from sizes / scales.
  const mode = stringAttr(node, 'coordinate_transformation_mode');
  const policy = stringAttr(node, 'keep_aspect_ratio_policy');
  if (attr(node, 'axes') !== undefined || mode === 'tf_crop_and_resize' || (policy !== undefined && policy !== 'stretch')) return undefined;
  const sizes = node.input[3] ? k.dims(node.input[3]) : undefined;
  if (sizes !== undefined && sizes.length > 0) return sizes;
  const scales = node.input[2] ? k.numbers(node.input[2]) : undefined;
  if (x === undefined || scales === undefined || scales.length !== x.length) return undefined;
  return x.map((d, i) => {
    const s = scales[i]!;
    const n = fixedValue(d);
    if (n !== undefined) return fixedDim(Math.floor(n * s));
    return Number.isInteger(s) ? multiply(d, fixedDim(s)) : null;
  });
}

function reduce(node: NodeProto, x: Shape | undefined, k: Known): Shape | undefined {
  if (x === undefined) return undefined;
  const axes = intsAttr(node, 'axes') ?? (node.input[1] ? k.numbers(node.input[1]) : []);
  if (axes === undefined) return undefined;
  if (axes.length === 0 && intAttr(node, 'noop_with_empty_axes', 0) === 1) return x;
  const at = new Set(axes.length === 0 ? x.map((_, i) => i) : axes.map((a) => axis(a, x.length)));
  const keep = intAttr(node, 'keepdims', 1) === 1;
  return keep ? x.map((d, i) => (at.has(i) ? fixedDim(1) : d)) : x.filter((_, i) => !at.has(i));
}
