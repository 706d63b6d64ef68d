import type { GraphProto, NodeProto } from './gen/onnx_pb.js';

/**
 * Names a graph reads from its enclosing scope: used by its nodes (or nested subgraphs) or listed
 * as outputs, but not defined inside it by an input, initializer or node output. ONNX lets If /
 * Loop / Scan bodies read outer values by name, so such a node depends on them as surely as on
 * its explicit inputs.
 */
export function outerReferences(graph: GraphProto): Set<string> {
  const defined = new Set<string>();
  for (const v of graph.input) defined.add(v.name);
  for (const t of graph.initializer) defined.add(t.name);
  for (const s of graph.sparseInitializer) if (s.values !== undefined) defined.add(s.values.name);
  for (const node of graph.node) for (const o of node.output) defined.add(o);
  const used = new Set<string>();
  for (const node of graph.node) for (const name of nodeInputs(node)) if (!defined.has(name)) used.add(name);
  for (const v of graph.output) if (!defined.has(v.name)) used.add(v.name);
  return used;
}

/** The outer-scope names a node's subgraph attributes read (empty for ordinary nodes). */
export function implicitInputs(node: NodeProto): string[] {
  const names = new Set<string>();
  for (const attr of node.attribute) {
    for (const g of attr.g === undefined ? attr.graphs : [attr.g, ...attr.graphs]) {
      for (const name of outerReferences(g)) names.add(name);
    }
  }
  return [...names];
}

/** Every value a node reads: its non-empty explicit inputs, then its implicit (subgraph) inputs. */
export function nodeInputs(node: NodeProto): string[] {
  const explicit = node.input.filter((name) => name !== '');
  const hasSubgraph = node.attribute.some((a) => a.g !== undefined || a.graphs.length > 0);
  if (!hasSubgraph) return explicit;
  return [...new Set([...explicit, ...implicitInputs(node)])];
}
