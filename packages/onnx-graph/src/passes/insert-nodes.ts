import { GraphStructureError } from '../errors.js';
import type { GraphProto, NodeProto } from '../gen/onnx_pb.js';
import { nodeInputs } from '../graph-scope.js';
import { copyGraph } from './copy.js';
import { topologicalOrder } from './topological-sort.js';

/** Where {@link insertNodes} puts new nodes: right before or right after an existing node (or its name). */
export type NodePlacement = { readonly before: NodeProto | string } | { readonly after: NodeProto | string };

/** A bound on where the new nodes may go, with the reason, for error messages. */
interface Bound {
  readonly at: number;
  readonly why: string;
}

/**
 * The graph with `nodes` added, keeping topological order. The new nodes are ordered among
 * themselves, then placed as a block: at `placement` when given (checked to be a valid spot), or
 * else at the earliest valid spot — right after the last producer of anything they read.
 * @throws GraphStructureError when a new node reuses an existing value or node name, or when no
 *   valid spot exists (e.g. placed before the producer of one of its inputs), naming the nodes.
 */
export function insertNodes(graph: GraphProto, nodes: readonly NodeProto[], placement?: NodePlacement): GraphProto {
  const block = topologicalOrder(nodes, graph.name);
  checkNoClash(graph, block);
  const lower = lowerBound(graph, block);
  const upper = upperBound(graph, block);
  const at = placement === undefined ? lower.at : anchorPosition(graph, placement);
  const what = block.map((n) => `'${n.name || n.opType}'`).join(', ');
  if (at < lower.at) throw new GraphStructureError(`cannot insert ${what} at position ${at} of graph '${graph.name}': ${lower.why}`);
  if (at > upper.at) throw new GraphStructureError(`cannot insert ${what} at position ${at} of graph '${graph.name}': ${upper.why}`);
  return copyGraph(graph, { node: [...graph.node.slice(0, at), ...block, ...graph.node.slice(at)] });
}

function checkNoClash(graph: GraphProto, block: readonly NodeProto[]): void {
  const defined = new Set<string>([...graph.input.map((v) => v.name), ...graph.initializer.map((t) => t.name)]);
  const names = new Set<string>();
  for (const node of graph.node) {
    for (const out of node.output) defined.add(out);
    if (node.name !== '') names.add(node.name);
  }
  for (const node of block) {
    if (node.name !== '' && names.has(node.name)) {
      throw new GraphStructureError(`cannot insert node '${node.name}': graph '${graph.name}' already has a node of that name`);
    }
    names.add(node.name);
    for (const out of node.output) {
      if (out !== '' && defined.has(out)) {
        throw new GraphStructureError(
          `cannot insert node '${node.name}' (${node.opType}): its output '${out}' is already a value of graph '${graph.name}'`,
        );
      }
      defined.add(out);
    }
  }
}

/** The new nodes must follow every existing node producing something they read. */
function lowerBound(graph: GraphProto, block: readonly NodeProto[]): Bound {
  const wanted = new Map<string, NodeProto>();
  for (const node of block) for (const name of nodeInputs(node)) if (!wanted.has(name)) wanted.set(name, node);
  let bound: Bound = { at: 0, why: '' };
  graph.node.forEach((producer, i) => {
    for (const out of producer.output) {
      const reader = wanted.get(out);
      if (reader !== undefined && i + 1 > bound.at) {
        bound = {
          at: i + 1,
          why: `node '${reader.name}' reads '${out}', which node '${producer.name}' (position ${i}) produces later`,
        };
      }
    }
  });
  return bound;
}

/** Existing nodes that already read a new node's output must come after the block. */
function upperBound(graph: GraphProto, block: readonly NodeProto[]): Bound {
  const produced = new Map<string, NodeProto>();
  for (const node of block) for (const out of node.output) if (out !== '') produced.set(out, node);
  for (let i = 0; i < graph.node.length; i++) {
    const reader = graph.node[i]!;
    const name = nodeInputs(reader).find((n) => produced.has(n));
    if (name !== undefined) {
      return {
        at: i,
        why: `node '${reader.name}' (position ${i}) reads '${name}' from inserted node '${produced.get(name)!.name}', so they must come before it`,
      };
    }
  }
  return { at: graph.node.length, why: '' };
}

function anchorPosition(graph: GraphProto, placement: NodePlacement): number {
  const [anchor, offset] = 'before' in placement ? [placement.before, 0] : [placement.after, 1];
  const index =
    typeof anchor === 'string' ? graph.node.findIndex((n) => n.name === anchor) : graph.node.indexOf(anchor);
  if (index < 0) {
    const name = typeof anchor === 'string' ? anchor : anchor.name;
    throw new GraphStructureError(`cannot insert relative to node '${name}': graph '${graph.name}' has no such node`);
  }
  return index + offset;
}
