import type { AttributeProto, GraphProto, NodeProto } from '../gen/onnx_pb.js';
import { copyAttribute, copyGraph, copyNode, copyValueInfo } from './copy.js';

/** Options of {@link replaceUses}. */
export interface ReplaceUsesOptions {
  /** Nodes (or node names) that keep reading the old value — typically the node just inserted to consume it. */
  readonly except?: readonly (NodeProto | string)[];
  /** Also rename graph outputs called `from` to `to` (changes the model's interface). Default false. */
  readonly graphOutputs?: boolean;
}

/**
 * The graph with every read of value `from` changed to read `to`: node inputs, and names inside
 * subgraphs (If/Loop bodies) that refer to the outer `from` and do not define their own.
 * The producer of `from` is untouched, so this is how an inserted node is spliced into an edge:
 * insert it consuming `from`, then replace the other uses of `from` by its output.
 */
export function replaceUses(graph: GraphProto, from: string, to: string, options: ReplaceUsesOptions = {}): GraphProto {
  const except = new Set(options.except ?? []);
  const skip = (node: NodeProto) => except.has(node) || (node.name !== '' && except.has(node.name));
  const node = graph.node.map((n) => (skip(n) ? n : renameInNode(n, from, to)));
  const output =
    options.graphOutputs === true
      ? graph.output.map((v) => (v.name === from ? copyValueInfo(v, { name: to }) : v))
      : graph.output;
  return copyGraph(graph, { node, output });
}

function renameInNode(node: NodeProto, from: string, to: string): NodeProto {
  const readsIt = node.input.includes(from);
  const hasSubgraph = node.attribute.some((a) => a.g !== undefined || a.graphs.length > 0);
  const attribute = hasSubgraph ? node.attribute.map((a) => renameInAttribute(a, from, to)) : node.attribute;
  const attributeChanged = attribute.some((a, i) => a !== node.attribute[i]);
  if (!readsIt && !attributeChanged) return node;
  return copyNode(node, {
    input: readsIt ? node.input.map((name) => (name === from ? to : name)) : node.input,
    attribute,
  });
}

function renameInAttribute(attribute: AttributeProto, from: string, to: string): AttributeProto {
  if (attribute.g === undefined && attribute.graphs.length === 0) return attribute;
  const g = attribute.g === undefined ? undefined : renameInSubgraph(attribute.g, from, to);
  const graphs = attribute.graphs.map((sub) => renameInSubgraph(sub, from, to));
  const changed = g !== attribute.g || graphs.some((sub, i) => sub !== attribute.graphs[i]);
  return changed ? copyAttribute(attribute, { g, graphs }) : attribute;
}

/** A subgraph that defines `from` itself shadows the outer value: leave it alone. */
function renameInSubgraph(graph: GraphProto, from: string, to: string): GraphProto {
  const shadows =
    graph.input.some((v) => v.name === from) ||
    graph.initializer.some((t) => t.name === from) ||
    graph.node.some((n) => n.output.includes(from));
  if (shadows) return graph;
  const renamed = replaceUses(graph, from, to, { graphOutputs: true });
  const changed = renamed.node.some((n, i) => n !== graph.node[i]) || renamed.output.some((v, i) => v !== graph.output[i]);
  return changed ? renamed : graph;
}
