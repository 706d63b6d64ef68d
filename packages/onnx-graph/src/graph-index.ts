import type { DType } from '@perfusion/tensor-core';
import { dtypeFromOnnx } from './dtype.js';
import { GraphStructureError, StaleGraphIndexError } from './errors.js';
import type { GraphProto, NodeProto, TensorProto, TensorProto_DataType, ValueInfoProto } from './gen/onnx_pb.js';
import { nodeInputs } from './graph-scope.js';
import type { Dim } from './shape-info.js';
import { valueElemType, valueShape } from './shape-info.js';

/** What is known about a value's type: its element type and, when recorded, its shape. */
export interface ValueType {
  readonly elemType: TensorProto_DataType;
  /** undefined when the rank is unknown. */
  readonly shape: Dim[] | undefined;
}

/**
 * A lookup index over one GraphProto: producers, consumers, nodes by name / op type,
 * initializers, graph inputs/outputs and recorded types, each found in O(1).
 *
 * The index is a snapshot. After editing the graph (passes return a new GraphProto), build a new
 * index with `new GraphIndex(graph)`. Using an index whose graph gained or lost nodes,
 * initializers, inputs or outputs throws {@link StaleGraphIndexError} instead of answering wrongly.
 */
export class GraphIndex {
  private readonly producers = new Map<string, NodeProto>();
  private readonly consumerLists = new Map<string, NodeProto[]>();
  private readonly byName = new Map<string, NodeProto>();
  private readonly byOpType = new Map<string, NodeProto[]>();
  private readonly positions = new Map<NodeProto, number>();
  private readonly initializers = new Map<string, TensorProto>();
  private readonly inputs = new Map<string, ValueInfoProto>();
  private readonly outputs = new Map<string, ValueInfoProto>();
  private readonly valueInfos = new Map<string, ValueInfoProto>();
  private readonly counts: string;

  constructor(readonly graph: GraphProto) {
    graph.node.forEach((node, position) => {
      this.positions.set(node, position);
      if (node.name !== '' && !this.byName.has(node.name)) this.byName.set(node.name, node);
      push(this.byOpType, opKey(node.domain, node.opType), node);
      for (const out of node.output) if (out !== '' && !this.producers.has(out)) this.producers.set(out, node);
      for (const name of nodeInputs(node)) {
        const list = this.consumerLists.get(name);
        if (list === undefined) this.consumerLists.set(name, [node]);
        else if (list[list.length - 1] !== node) list.push(node);
      }
    });
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    for (const v of graph.input) this.inputs.set(v.name, v);
    for (const v of graph.output) this.outputs.set(v.name, v);
    for (const v of graph.valueInfo) this.valueInfos.set(v.name, v);
    this.counts = shapeOf(graph);
  }

  /** The node that outputs `value`, or undefined for graph inputs, initializers and unknown names. */
  producer(value: string): NodeProto | undefined {
    this.checkFresh();
    return this.producers.get(value);
  }

  /**
   * The nodes that read `value` (a node output, graph input or initializer), in graph order, each
   * once. Nodes whose subgraphs (If/Loop bodies) read it from the outer scope count too.
   */
  consumers(value: string): readonly NodeProto[] {
    this.checkFresh();
    return this.consumerLists.get(value) ?? [];
  }

  /** The node called `name` (the first, should names repeat). */
  node(name: string): NodeProto | undefined {
    this.checkFresh();
    return this.byName.get(name);
  }

  /** The node called `name`; throws GraphStructureError naming it when absent. */
  requireNode(name: string): NodeProto {
    const node = this.node(name);
    if (node === undefined) throw new GraphStructureError(`graph '${this.graph.name}' has no node named '${name}'`);
    return node;
  }

  /** Nodes of one operator type, in graph order. `domain` defaults to the standard ONNX domain. */
  nodesByOpType(opType: string, domain = ''): readonly NodeProto[] {
    this.checkFresh();
    return this.byOpType.get(opKey(domain, opType)) ?? [];
  }

  /** Nodes whose name matches `pattern` (a RegExp or a predicate), in graph order. O(nodes). */
  nodesByName(pattern: RegExp | ((name: string) => boolean)): NodeProto[] {
    this.checkFresh();
    const test = typeof pattern === 'function' ? pattern : (name: string) => pattern.test(name);
    return this.graph.node.filter((node) => test(node.name));
  }

  /** Position of `node` in `graph.node`; throws when the node is not in this graph. */
  position(node: NodeProto): number {
    this.checkFresh();
    const at = this.positions.get(node);
    if (at === undefined) {
      throw new GraphStructureError(`node '${node.name}' (${node.opType}) is not part of graph '${this.graph.name}'`);
    }
    return at;
  }

  /** The initializer called `name`. */
  initializer(name: string): TensorProto | undefined {
    this.checkFresh();
    return this.initializers.get(name);
  }

  /** The graph input called `name`. */
  graphInput(name: string): ValueInfoProto | undefined {
    this.checkFresh();
    return this.inputs.get(name);
  }

  /** The graph output called `name`. */
  graphOutput(name: string): ValueInfoProto | undefined {
    this.checkFresh();
    return this.outputs.get(name);
  }

  /** Whether `value` is produced, a graph input, or an initializer of this graph. */
  isDefined(value: string): boolean {
    this.checkFresh();
    return this.producers.has(value) || this.inputs.has(value) || this.initializers.has(value);
  }

  /** The recorded ValueInfoProto of `value`: from the graph inputs, outputs, or value_info, in that order. */
  valueInfo(value: string): ValueInfoProto | undefined {
    this.checkFresh();
    return this.inputs.get(value) ?? this.outputs.get(value) ?? this.valueInfos.get(value);
  }

  /** Element type and shape of `value`, from its value info or, for initializers, from the tensor. */
  valueType(value: string): ValueType | undefined {
    this.checkFresh();
    for (const map of [this.inputs, this.outputs, this.valueInfos]) {
      const info = map.get(value);
      const elemType = info === undefined ? undefined : valueElemType(info);
      if (info !== undefined && elemType !== undefined) return { elemType, shape: valueShape(info) };
    }
    const init = this.initializers.get(value);
    return init === undefined ? undefined : { elemType: init.dataType, shape: init.dims.map((d) => Number(d)) };
  }

  /** The tensor-core dtype of `value` (throws for unknown or unsupported types). */
  valueDType(value: string): DType {
    const type = this.valueType(value);
    if (type === undefined) {
      throw new GraphStructureError(`graph '${this.graph.name}' records no type for value '${value}'`);
    }
    return dtypeFromOnnx(type.elemType, `value '${value}'`);
  }

  private checkFresh(): void {
    if (shapeOf(this.graph) !== this.counts) {
      throw new StaleGraphIndexError(
        `the GraphIndex of graph '${this.graph.name}' is stale: the graph changed (${this.counts} → ${shapeOf(this.graph)}) ` +
          'after the index was built; build a new GraphIndex after editing',
      );
    }
  }
}

function opKey(domain: string, opType: string): string {
  return domain === '' || domain === 'ai.onnx' ? opType : `${domain}::${opType}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function shapeOf(graph: GraphProto): string {
  return `${graph.node.length} nodes, ${graph.initializer.length} initializers, ${graph.input.length} inputs, ${graph.output.length} outputs`;
}
