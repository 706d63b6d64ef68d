import type { NodeProto } from '../gen/onnx_pb.js';
import { copyNode } from '../passes/copy.js';
import type { GradEmitter } from './emitter.js';

/**
 * Whether the backward section recomputes cheap forward values instead of keeping them alive from
 * the forward pass to their backward use (`'cheap'`, see {@link recomputeCheapValues}) or not
 * (`'none'`).
 */
export type RecomputeMode = 'none' | 'cheap';

/**
 * Ops whose result is cheap to compute again from its inputs: elementwise arithmetic and
 * activations, and ops that only move elements. Their cost is one pass over memory, small next to
 * the MatMuls and Convs around them. Random ops are absent on purpose: a second draw would differ.
 */
const CHEAP_OPS: ReadonlySet<string> = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Pow', 'Where', 'Max', 'Min', 'Clip', 'Abs',
  'Sigmoid', 'Tanh', 'Relu', 'Exp', 'Log', 'Sqrt', 'Erf', 'Sin', 'Cos', 'Cast', 'Identity',
  'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Transpose', 'Expand', 'Concat', 'Split', 'Slice',
]);

/** Ops whose (first) output has the shape of their first input. */
const SHAPE_PRESERVING: ReadonlySet<string> = new Set([
  'Sigmoid', 'Tanh', 'Relu', 'Exp', 'Log', 'Sqrt', 'Erf', 'Sin', 'Cos', 'Neg', 'Abs', 'Cast', 'Identity', 'Clip',
  'Softmax', 'LayerNormalization', 'InstanceNormalization', 'CumSum', 'Trilu',
]);

/** Ops that keep integer shape bookkeeping small when all their inputs are small. */
const SHAPE_ARITHMETIC: ReadonlySet<string> = new Set([
  'Concat', 'Gather', 'Unsqueeze', 'Squeeze', 'Slice', 'Cast', 'Add', 'Sub', 'Mul', 'Div', 'Reshape',
  'Equal', 'Where', 'Identity', 'Neg', 'Not', 'Greater', 'Less', 'Max', 'Min',
]);

/** Longest chain of forward nodes copied to rebuild one value (bounds the extra work per read). */
const MAX_CHAIN = 4;

/**
 * Rewrites the backward nodes of a gradient graph so that fewer forward activations stay alive
 * from the forward pass to their use in the backward pass:
 *
 * - A backward Shape / Size of a forward value produced by shape-preserving ops (Sigmoid, Erf,
 *   Softmax, LayerNormalization, Cast, …) reads the shape of their input instead, going back as far
 *   as a value that is alive anyway; the value itself is then free once the forward pass is done
 *   with it.
 * - A forward value that backward nodes read and that a cheap op produced (elementwise arithmetic
 *   and activations, Reshape, Transpose, Concat, Slice, …) is computed again in the backward
 *   section, from inputs that are alive anyway (graph inputs, initializers, constants, small shape
 *   values, other values the backward pass reads, or other cheap values rebuilt the same way, up to
 *   a chain of {@link MAX_CHAIN} ops). The backward nodes read the copy.
 *
 * Nothing new is kept alive: every input of a copy is a value the backward pass holds in any
 * case. The results are the same up to rounding (the copies run the same ops on the same values).
 *
 * @param nodes the gradient graph's live nodes, forward and backward, in topological order
 * @param backward which of them are backward nodes
 * @param isSource whether a value is a graph input or initializer
 * @param e the emitter that wrote the backward nodes (the copies are emitted with it)
 * @returns the backward nodes, rewritten, followed by the copies (not yet in topological order)
 */
export function recomputeCheapValues(
  nodes: readonly NodeProto[],
  backward: ReadonlySet<NodeProto>,
  isSource: (value: string) => boolean,
  e: GradEmitter,
): NodeProto[] {
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) if (!backward.has(node)) for (const out of node.output) if (out !== '') producer.set(out, node);
  const isForward = (v: string) => producer.has(v);
  let bwd = nodes.filter((n) => backward.has(n));
  const anchors = bwd.map((n) => e.anchors.get(n) ?? '');

  const tinyMemo = new Map<string, boolean>();
  /** Small integer bookkeeping: Shape / Size / Constant outputs and arithmetic on them. */
  const isTiny = (v: string): boolean => {
    const cached = tinyMemo.get(v);
    if (cached !== undefined) return cached;
    const p = producer.get(v);
    let tiny = false;
    if (p !== undefined && (p.opType === 'Shape' || p.opType === 'Size' || p.opType === 'Constant')) tiny = true;
    else if (p !== undefined && SHAPE_ARITHMETIC.has(p.opType)) tiny = p.input.every((u) => u === '' || isSource(u) || isTiny(u));
    tinyMemo.set(v, tiny);
    return tiny;
  };
  const readBy = (list: readonly NodeProto[]) => {
    const read = new Set<string>();
    for (const node of list) for (const v of node.input) if (isForward(v)) read.add(v);
    return read;
  };

  // 1. Shapes of shape-preserving ops' outputs from the farthest input back that is alive anyway.
  const isShapeRead = (node: NodeProto) => node.opType === 'Shape' || node.opType === 'Size';
  const readAsData = readBy(bwd.filter((n) => !isShapeRead(n)));
  const preservesShape = (p: NodeProto | undefined, out: string): p is NodeProto =>
    p !== undefined && isDefaultDomain(p) && SHAPE_PRESERVING.has(p.opType) && p.output[0] === out;
  const shapeSource = (v: string): string => {
    let source = v;
    for (let u = v, p = producer.get(u); preservesShape(p, u); p = producer.get(u)) {
      u = p.input[0]!;
      if (isSource(u) || readAsData.has(u)) source = u;
    }
    return source;
  };
  bwd = bwd.map((node) => {
    if (!isShapeRead(node) || !isForward(node.input[0]!)) return node;
    const from = shapeSource(node.input[0]!);
    return from === node.input[0] ? node : copyNode(node, { input: [from, ...node.input.slice(1)] });
  });

  // 2. Cheap values the backward pass reads, rebuilt from values it holds anyway.
  const kept = readBy(bwd);
  const planMemo = new Map<string, number>(); // value → ops in its rebuild chain, or Infinity
  const chainLength = (v: string): number => {
    const cached = planMemo.get(v);
    if (cached !== undefined) return cached;
    planMemo.set(v, Infinity); // (a DAG has no cycles; this only guards the recursion)
    const p = producer.get(v);
    let length = Infinity;
    if (p !== undefined && isDefaultDomain(p) && CHEAP_OPS.has(p.opType)) {
      let longest = 0;
      for (const u of p.input) {
        if (u === '' || isSource(u) || isTiny(u) || kept.has(u)) continue; // alive anyway (a kept value may be rebuilt too)
        longest = Math.max(longest, chainLength(u));
      }
      if (longest + 1 <= MAX_CHAIN) length = longest + 1;
    }
    planMemo.set(v, length);
    return length;
  };
  const rebuilt = new Map<NodeProto, string[]>();
  /** The copy of forward value v, made so that it cannot run before gradient value `anchor` exists. */
  const rebuild = (v: string, anchor: string): string => {
    if (!isForward(v) || isTiny(v) || chainLength(v) === Infinity) return v;
    const p = producer.get(v)!;
    let outs = rebuilt.get(p);
    if (outs === undefined) {
      const inputs = p.input.map((u) => (u === '' ? u : rebuild(u, anchor)));
      const scope = `/${p.name || p.opType}/recompute`;
      e.anchor = anchor;
      const fromCopies = inputs.some((u, i) => u !== p.input[i]);
      if (!fromCopies && anchor !== '' && inputs[0] !== '') {
        e.scope = `${scope}/tie`;
        inputs[0] = tieTo(e, inputs[0]!, anchor);
      }
      e.scope = scope;
      outs = e.copyOf(p, inputs);
      rebuilt.set(p, outs);
    }
    return outs[p.output.indexOf(v)]!;
  };
  const copiesFrom = e.nodes.length;
  // In emission order, which is the order the backward pass needs values in: a copy is anchored to
  // the upstream gradient of the first rule that reads it.
  bwd = bwd.map((node, i) => {
    const input = node.input.map((v) => (kept.has(v) ? rebuild(v, anchors[i]!) : v));
    return input.every((v, k) => v === node.input[k]) ? node : copyNode(node, { input });
  });
  return [...bwd, ...e.nodes.slice(copiesFrom)];
}

/**
 * `Reshape(x, Shape(x) + 0·ΣShape(anchor))`: x itself (Reshape aliases its input in onnxruntime,
 * so nothing is copied), but as a value that depends on `anchor`. Reading it makes a recomputed
 * node wait for the backward pass to reach the gradient that needs it, whatever order the runtime
 * picks among independent nodes, and keeps common-subexpression elimination (onnxruntime's basic
 * optimisations) from merging the copy back into the forward node it repeats, which would undo the
 * recomputation.
 */
function tieTo(e: GradEmitter, x: string, anchor: string): string {
  const size = e.op1('ReduceSum', [e.op1('Shape', [anchor])], { keepdims: 0 });
  const zero = e.op1('Mul', [size, e.op1('Constant', [], { value_int: 0 })]);
  return e.op1('Reshape', [x, e.op1('Add', [e.op1('Shape', [x]), zero])]);
}

function isDefaultDomain(node: NodeProto): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}
