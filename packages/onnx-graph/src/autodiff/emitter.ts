import { create } from '@bufbuild/protobuf';
import { type NodeProto, NodeProtoSchema, type TensorProto, TensorProto_DataType, TensorProtoSchema } from '../gen/onnx_pb.js';
import { type Attributes, toAttributeProtos } from '../builder/attributes.js';

/**
 * Writes the backward graph's nodes: unique node and value names under a prefix, dtype-agnostic
 * constants (float32 literals cast with CastLike to the dtype of a reference value), cached
 * Shape ops, and the broadcasting reduction every elementwise rule needs.
 */
export class GradEmitter {
  readonly nodes: NodeProto[] = [];
  private counter = 0;
  private readonly shapes = new Map<string, string>();
  /** Names of the node the current rule differentiates (for node naming). */
  scope = '';
  /**
   * A gradient value that exists whenever the nodes emitted now run (the current rule's upstream
   * gradient); recorded per node in {@link anchors}, '' when there is none.
   */
  anchor = '';
  /** The {@link anchor} current when each node was emitted. */
  readonly anchors = new Map<NodeProto, string>();

  constructor(
    readonly prefix: string,
    /** Rank of a value when statically known. */
    readonly rankOf: (value: string) => number | undefined,
    /** Shape of a value when statically known (numbers fixed, strings symbolic, null unknown). */
    readonly shapeOf: (value: string) => readonly (number | string | null)[] | undefined,
    /** The last dim of a value when statically known, even where its rank is not. */
    readonly lastDimOf: (value: string) => number | undefined = () => undefined,
    /** ONNX element type of a value when recorded. */
    readonly elemTypeOf: (value: string) => number | undefined = () => undefined,
  ) {}

  /** Emits one node and returns its output names. */
  op(opType: string, inputs: readonly string[], attributes?: Attributes, outputs = 1): string[] {
    const name = `${this.prefix.replace(/\/$/, '')}${this.scope}/${opType}_${this.counter++}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.push(create(NodeProtoSchema, { name, opType, input: [...inputs], output: outs, attribute: toAttributeProtos(attributes) }));
    return outs;
  }

  /** Emits a copy of `node` (same op, domain and attributes) reading `inputs`; returns its output names. */
  copyOf(node: NodeProto, inputs: readonly string[]): string[] {
    const name = `${this.prefix.replace(/\/$/, '')}${this.scope}/${node.opType}_${this.counter++}`;
    const outs = node.output.map((o, i) => (o === '' ? '' : `${name}_output_${i}`));
    const { opType, domain, attribute } = node;
    this.push(create(NodeProtoSchema, { name, opType, domain, input: [...inputs], output: outs, attribute }));
    return outs;
  }

  private push(node: NodeProto): void {
    this.nodes.push(node);
    this.anchors.set(node, this.anchor);
  }

  /** Emits one single-output node. */
  op1(opType: string, inputs: readonly string[], attributes?: Attributes): string {
    return this.op(opType, inputs, attributes)[0]!;
  }

  /** A scalar with the dtype of `like`. */
  scalar(value: number, like: string): string {
    const c = this.op1('Constant', [], { value_float: { kind: 'float', value } });
    return this.op1('CastLike', [c, like]);
  }

  /** A 1-D int64 constant. */
  int64s(values: readonly number[]): string {
    return this.op1('Constant', [], { value_ints: { kind: 'ints', value: values } });
  }

  /** `Shape(value)`, emitted once per value. */
  shape(value: string): string {
    let s = this.shapes.get(value);
    if (s === undefined) {
      s = this.op1('Shape', [value]);
      this.shapes.set(value, s);
    }
    return s;
  }

  /** Zeros with the shape and dtype of `like`. */
  zerosLike(like: string): string {
    return this.op1('CastLike', [this.op1('ConstantOfShape', [this.shape(like)]), like]);
  }

  add(a: string, b: string): string {
    return this.op1('Add', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op1('Mul', [a, b]);
  }

  /**
   * `g` (a gradient with the broadcast output's shape) summed back to the shape of `x`: ReduceSum
   * over the axes where x (right-aligned, padded with 1s) has size 1 and g does not, keepdims,
   * then Reshape to Shape(x). The axes are computed at run time, so symbolic dims work. Nothing is
   * emitted when both shapes are statically known and equal, or when the operands x was
   * broadcast with (`partners`) cannot have changed x's shape (see {@link broadcastKeeps}): then the backward pass need not read x's shape, which would keep x
   * alive until then, nor copy g (onnxruntime's ReduceSum over no axes still copies).
   */
  reduceTo(g: string, x: string, partners: readonly string[] = []): string {
    const sg = this.shapeOf(g);
    const sx = this.shapeOf(x);
    if (sg !== undefined && sx !== undefined && sameShape(sg, sx)) return g;
    if (this.broadcastKeeps(x, partners)) return g;
    const shapeG = this.shape(g);
    const shapeX = this.shape(x);
    const rankDiff = this.op1('Sub', [this.op1('Shape', [shapeG]), this.op1('Shape', [shapeX])]);
    const ones = this.op1('ConstantOfShape', [rankDiff], { value: oneInt64() });
    const padded = this.op1('Concat', [ones, shapeX], { axis: 0 });
    const differs = this.op1('Not', [this.op1('Equal', [padded, shapeG])]);
    const axes = this.op1('Reshape', [this.op1('NonZero', [differs]), this.int64s([-1])]);
    const summed = this.op1('ReduceSum', [g, axes], { keepdims: 1, noop_with_empty_axes: 1 });
    return this.op1('Reshape', [summed, shapeX]);
  }

  /**
   * Whether broadcasting x with `partners` surely gives x's shape, from static shapes (inferred
   * ones included): no partner has more axes than are known of x, and each partner's dim,
   * right-aligned, is 1 or x's own (symbolic dims compared by name). Known of x: its whole shape,
   * or else its last dim alone (a MatMul with a weight: then a scalar or a bias of that size
   * fits, as torch exports write attention scales, GELU's constants and biases), or else nothing
   * (only scalars fit). `batchOnly` compares all but the last two axes, for MatMul, whose
   * operands broadcast over their batch axes only.
   */
  broadcastKeeps(x: string, partners: readonly string[], batchOnly = false): boolean {
    const batchAxes = (s: readonly (number | string | null)[] | undefined) => (s === undefined || s.length < 2 ? undefined : s.slice(0, -2));
    const shape = this.shapeOf(x);
    const last = this.lastDimOf(x);
    const known = batchOnly ? batchAxes(shape) : (shape ?? (last === undefined ? [] : [last]));
    if (known === undefined || partners.length === 0) return false;
    return partners.every((p) => {
      const sp = batchOnly ? batchAxes(this.shapeOf(p)) : this.shapeOf(p);
      if (sp === undefined || sp.length > known.length) return false;
      return sp.every((d, i) => d === 1 || (d !== null && d === known[known.length - sp.length + i]));
    });
  }

  /** Swaps the last two axes (Transpose when the rank is known, else Einsum `...ij->...ji`). */
  transposeLast2(x: string): string {
    const rank = this.rankOf(x);
    if (rank !== undefined && rank >= 2) {
      const perm = Array.from({ length: rank }, (_, i) => i);
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      return this.op1('Transpose', [x], { perm });
    }
    return this.op1('Einsum', [x], { equation: '...ij->...ji' });
  }
}

function sameShape(a: readonly (number | string | null)[], b: readonly (number | string | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
}

function oneInt64(): { kind: 'tensor'; value: TensorProto } {
  return {
    kind: 'tensor',
    value: create(TensorProtoSchema, { dataType: TensorProto_DataType.INT64, dims: [1n], int64Data: [1n] }),
  };
}
