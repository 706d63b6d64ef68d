import { create } from '@bufbuild/protobuf';
import type { DType, Tensor } from '@perfusion/tensor-core';
import { onnxDataType } from '../dtype.js';
import type { ExternalDataWriter } from '../external-data/writer.js';
import {
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  type ValueInfoProto,
} from '../gen/onnx_pb.js';
import { validateGraph } from '../passes/validate.js';
import { type Attributes, attr, toAttributeProtos } from './attributes.js';
import { GraphBuilderError } from './errors.js';
import { ScopeNamer } from './naming.js';
import { constantTensor, type Dims, floatTensor, valueInfo } from './tensors.js';
import type { FloatDType, Value, ValueLike } from './value.js';

export type { Dims } from './tensors.js';

/** Options of a {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Graph name (GraphProto.name). */
  readonly name: string;
  /** Default-domain opset the graph is written for (13 to 21). Default 17: the first with LayerNormalization. */
  readonly opset?: number;
  /** Float type of weights and literal constants created through the builder. Default float32. */
  readonly dtype?: FloatDType;
  /** ModelProto.producer_name. Default `@perfusion/onnx-graph`. */
  readonly producer?: string;
  /** ModelProto.producer_version. Default empty. */
  readonly producerVersion?: string;
  /**
   * Where large initializers go. When set, every initializer of at least `externalThreshold`
   * bytes is appended to this writer as soon as it is added and the builder keeps only its
   * reference, so a multi-GB model is built without holding its weights.
   */
  readonly external?: ExternalDataWriter;
  /** Smallest initializer (bytes) that goes to `external`. Default 1024, as ONNX's own converter uses. */
  readonly externalThreshold?: number;
}

/** Values accepted by {@link GraphBuilderCore.constant}. */
export type ConstantValues =
  | number
  | bigint
  | readonly number[]
  | readonly bigint[]
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Uint8Array;

/** Options of {@link GraphBuilderCore.op}. */
export interface OpOptions {
  /** Number of outputs the node has. Default 1. */
  readonly outputs?: number;
  /** Operator domain; '' (default) is the standard ONNX domain. Other domains are imported at version 1. */
  readonly domain?: string;
}

const IR_VERSION = 8n; // ONNX IR 8 pairs with opsets 15-18 and every onnxruntime since 1.10 reads it.
const MIN_OPSET = 13; // Split/Squeeze/Unsqueeze take their axes as inputs from 13 on; helpers rely on that.
const MAX_OPSET = 21;
const DEFAULT_EXTERNAL_THRESHOLD = 1024;

interface Producer {
  readonly kind: 'input' | 'initializer' | 'node';
  readonly nodeIndex: number;
}

/**
 * The state and bookkeeping of a graph under construction: names, scopes, inputs, outputs,
 * initializers, constants and the generic node factory. Typed op helpers are layered on top
 * (see {@link GraphBuilder}).
 */
export class GraphBuilderCore {
  /** Float type of weights and literal constants created through this builder. */
  readonly dtype: FloatDType;
  /** Default-domain opset of the graph. */
  readonly opset: number;

  private readonly options: GraphBuilderOptions;
  private readonly namer = new ScopeNamer();
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly producers = new Map<string, Producer>();
  private readonly handles = new Map<string, { name: string }>();
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly domains = new Set<string>();
  private anonymousCount = 0;

  constructor(options: GraphBuilderOptions) {
    const opset = options.opset ?? 17;
    if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new GraphBuilderError(
        `GraphBuilder "${options.name}": opset ${opset} is not supported; use an opset from ${MIN_OPSET} to ${MAX_OPSET}`,
      );
    }
    this.options = options;
    this.opset = opset;
    this.dtype = options.dtype ?? 'float32';
  }

  /** Declares a graph input. `shape` mixes fixed sizes and symbolic names (`['batch', 4, 'height', 'width']`). */
  input(name: string, dtype: DType, shape: Dims): Value {
    this.claimName(name, `graph input "${name}"`);
    this.inputs.push(valueInfo(name, dtype, shape));
    this.producers.set(name, { kind: 'input', nodeIndex: -1 });
    return this.handle(name);
  }

  /**
   * Declares `value` a graph output called `name`. When `value` is a node output not yet used as
   * an output, that node output is renamed (as torch export does: the last Conv writes
   * `out_sample` directly); otherwise an Identity node copies it under the new name.
   * @param dtype element type recorded for the output; default the builder's float dtype.
   * @param shape recorded shape; default unknown rank.
   */
  output(value: Value, name: string, dtype: DType = this.dtype, shape?: Dims): Value {
    const producer = this.producers.get(value.name);
    if (producer === undefined) {
      throw new GraphBuilderError(
        `output "${name}": value "${value.name}" is not produced by any input, initializer or node of graph "${this.options.name}"`,
      );
    }
    if (name !== value.name) {
      const alreadyOutput = this.outputs.some((o) => o.name === value.name);
      if (producer.kind === 'node' && !alreadyOutput) this.rename(value.name, name);
      else this.addNode('Identity', [value.name], undefined, [name]);
    }
    this.outputs.push(valueInfo(name, dtype, shape));
    return this.handle(name);
  }

  /**
   * Adds a tensor as an initializer. Large tensors go to the external-data writer when the
   * builder has one (see {@link GraphBuilderOptions.external}).
   */
  initializer(name: string, tensor: Tensor): Value {
    this.claimName(name, `initializer "${name}"`);
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    const proto = create(TensorProtoSchema, {
      name,
      dims: tensor.shape.map((d) => BigInt(d)),
      dataType: onnxDataType(tensor.dtype),
    });
    const external = this.options.external;
    if (external !== undefined && bytes.byteLength >= (this.options.externalThreshold ?? DEFAULT_EXTERNAL_THRESHOLD)) {
      external.append(proto, bytes);
    } else {
      proto.rawData = bytes.slice();
    }
    this.initializers.push(proto);
    this.producers.set(name, { kind: 'initializer', nodeIndex: -1 });
    this.shapes.set(name, [...tensor.shape]);
    return this.handle(name);
  }

  /**
   * Adds float values as an initializer in the builder's float dtype (converted to fp16 when the
   * builder is fp16). This is how one architecture function builds both variants.
   */
  parameter(name: string, shape: readonly number[], values: Float32Array): Value {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new GraphBuilderError(
        `parameter "${name}": ${values.length} values do not fill shape [${shape.join(', ')}] (${size} elements)`,
      );
    }
    return this.initializer(name, floatTensor(this.dtype, values, shape));
  }

  /**
   * Adds a small constant as a `Constant` node in the current scope (named like torch's
   * `/scope/Constant_3`). A number or bigint makes a scalar; arrays default to 1-D.
   * @param dtype element type; default the builder's float dtype for numbers, int64 for bigints.
   */
  constant(values: ConstantValues, shape?: readonly number[], dtype?: DType): Value {
    const scalar = typeof values === 'number' || typeof values === 'bigint';
    const list: ArrayLike<number | bigint> = scalar ? [values] : values;
    const holdsBigInts = values instanceof BigInt64Array || typeof list[0] === 'bigint';
    const tensor = constantTensor(list, shape ?? (scalar ? [] : [list.length]), dtype ?? (holdsBigInts ? 'int64' : this.dtype));
    return this.addNode('Constant', [], { value: attr.tensor(tensor) })[0]!;
  }

  /** An int64 1-D constant, the form shape/axes/index inputs take. */
  int64s(values: readonly number[]): Value {
    return this.constant(BigInt64Array.from(values, (v) => BigInt(v)), [values.length], 'int64');
  }

  /**
   * Runs `fn` inside a module scope: nodes created in it are named `/…/<name>/<Op>`. Entering a
   * scope of the same name again under the same parent names it `<name>_1`, `<name>_2`… like
   * torch does for a module called several times.
   */
  scope<T>(name: string, fn: () => T): T {
    this.namer.enter(name);
    try {
      return fn();
    } finally {
      this.namer.leave();
    }
  }

  /**
   * Dotted parameter name for `leaf` in the current module scope, the way torch names
   * state-dict entries: inside scopes `down_blocks.0` → `resnets.0` → `conv1`, `paramName('weight')`
   * is `down_blocks.0.resnets.0.conv1.weight`.
   */
  paramName(leaf: string): string {
    return [...this.namer.modulePath(), leaf].join('.');
  }

  /**
   * A fresh name in torch's style for a tensor that has no module name, e.g. a transposed Linear
   * weight feeding a MatMul: `anonymousName('MatMul')` → `onnx::MatMul_1`, `onnx::MatMul_2`, …
   */
  anonymousName(consumerOpType: string): string {
    this.anonymousCount += 1;
    return `onnx::${consumerOpType}_${this.anonymousCount}`;
  }

  /** Known static shape of an initializer, if the value is one. */
  initializerShape(value: Value): readonly number[] | undefined {
    return this.shapes.get(value.name);
  }

  /**
   * Adds any node. Inputs may be handles, number literals (scalar constants of the builder's
   * float dtype) or `null` for an omitted optional input. Returns one handle per output, named
   * `<nodeName>_output_<i>`.
   */
  op(opType: string, inputs: readonly (ValueLike | null)[], attributes?: Attributes, options: OpOptions = {}): Value[] {
    const inputNames = inputs.map((v) => (v === null ? '' : this.toValue(v).name));
    return this.addNode(opType, inputNames, attributes, options.outputs ?? 1, options.domain ?? '');
  }

  /** A TensorProto (no name) holding `values` as `dtype`, for tensor-valued attributes. */
  protected tensorProto(values: ArrayLike<number | bigint>, shape: readonly number[], dtype: DType): TensorProto {
    return constantTensor(values, shape, dtype);
  }

  /** Turns a number literal into a scalar constant of the builder's float dtype; handles pass through. */
  protected toValue(v: ValueLike): Value {
    return typeof v === 'number' ? this.constant(v) : v;
  }

  /** Single-output form of {@link op} used by the typed helpers. */
  protected op1(opType: string, inputs: readonly (ValueLike | null)[], attributes?: Attributes): Value {
    return this.op(opType, inputs, attributes)[0]!;
  }

  /**
   * Assembles the ModelProto (IR version 8, the builder's opset plus any custom domain at
   * version 1) after checking that every node input is a graph input, an initializer or the
   * output of an earlier node, and that every graph output is produced.
   * @throws GraphValidationError (from the package's `validateGraph` pass) naming each node and
   *   missing value.
   */
  build(): ModelProto {
    const graph = create(GraphProtoSchema, {
      name: this.options.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
    });
    validateGraph(graph);
    const opsetImport = [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(this.opset) })];
    for (const domain of [...this.domains].sort()) {
      opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: 1n }));
    }
    return create(ModelProtoSchema, {
      irVersion: IR_VERSION,
      opsetImport,
      producerName: this.options.producer ?? '@perfusion/onnx-graph',
      producerVersion: this.options.producerVersion ?? '',
      graph,
    });
  }

  private addNode(
    opType: string,
    inputNames: readonly string[],
    attributes: Attributes | undefined,
    outputs: number | readonly string[] = 1,
    domain = '',
  ): Value[] {
    const name = this.namer.nextNodeName(opType);
    const outputNames =
      typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`) : outputs;
    for (const out of outputNames) this.claimName(out, `output of node "${name}"`);
    const node = create(NodeProtoSchema, {
      name,
      opType,
      domain,
      input: [...inputNames],
      output: [...outputNames],
      attribute: toAttributeProtos(attributes),
    });
    if (domain !== '') this.domains.add(domain);
    const nodeIndex = this.nodes.push(node) - 1;
    for (const out of outputNames) this.producers.set(out, { kind: 'node', nodeIndex });
    return outputNames.map((n) => this.handle(n));
  }

  private claimName(name: string, what: string): void {
    if (name === '') throw new GraphBuilderError(`${what}: names must not be empty`);
    if (this.producers.has(name)) {
      throw new GraphBuilderError(
        `${what}: the name "${name}" is already used in graph "${this.options.name}"; pick another name`,
      );
    }
  }

  private handle(name: string): Value {
    let handle = this.handles.get(name);
    if (handle === undefined) {
      handle = { name };
      this.handles.set(name, handle);
    }
    return handle;
  }

  /** Renames a node output everywhere it is referenced, including the caller's handle. */
  private rename(from: string, to: string): void {
    this.claimName(to, `graph output "${to}"`);
    const producer = this.producers.get(from)!;
    const node = this.nodes[producer.nodeIndex]!;
    node.output = node.output.map((n) => (n === from ? to : n));
    for (const consumer of this.nodes) {
      if (consumer.input.includes(from)) consumer.input = consumer.input.map((n) => (n === from ? to : n));
    }
    this.producers.delete(from);
    this.producers.set(to, producer);
    const handle = this.handles.get(from);
    if (handle !== undefined) {
      handle.name = to;
      this.handles.delete(from);
      this.handles.set(to, handle);
    }
  }
}
