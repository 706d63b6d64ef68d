import { GraphStructureError } from '../errors.js';
import type { GraphProto, NodeProto } from '../gen/onnx_pb.js';
import { nodeInputs } from '../graph-scope.js';
import { copyGraph } from './copy.js';
import { MinHeap } from './min-heap.js';

/**
 * The graph with its nodes in topological order (every node after the producers of its inputs),
 * as ONNX requires. Stable: among the nodes that could come next it always takes the one that
 * came first before, so an already sorted graph keeps its order exactly.
 * Values no node produces (graph inputs, initializers, outer-scope or missing names) count as
 * available; `validateGraph` reports the missing ones.
 * @throws GraphStructureError naming the nodes of a cycle when there is one.
 */
export function topologicalSort(graph: GraphProto): GraphProto {
  return copyGraph(graph, { node: topologicalOrder(graph.node, graph.name) });
}

/** {@link topologicalSort} for a bare list of nodes. */
export function topologicalOrder(nodes: readonly NodeProto[], graphName = ''): NodeProto[] {
  const producerOf = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const out of node.output) if (out !== '' && !producerOf.has(out)) producerOf.set(out, i);
  });
  const dependents: number[][] = nodes.map(() => []);
  const waitingOn = new Int32Array(nodes.length);
  nodes.forEach((node, i) => {
    const producers = new Set<number>();
    for (const name of nodeInputs(node)) {
      const p = producerOf.get(name);
      if (p !== undefined) producers.add(p);
    }
    for (const p of producers) dependents[p]!.push(i);
    waitingOn[i] = producers.size;
  });
  const ready = new MinHeap();
  waitingOn.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: NodeProto[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(nodes[i]!);
    for (const d of dependents[i]!) if (--waitingOn[d] === 0) ready.push(d);
  }
  if (order.length < nodes.length) throw cycleError(nodes, waitingOn, producerOf, graphName);
  return order;
}

/** Walks back from a node that never became ready until a node repeats: that loop is a cycle. */
function cycleError(
  nodes: readonly NodeProto[],
  waitingOn: Int32Array,
  producerOf: ReadonlyMap<string, number>,
  graphName: string,
): GraphStructureError {
  const stuck = (i: number) => waitingOn[i]! > 0;
  let current = nodes.findIndex((_, i) => stuck(i));
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    const blocker = nodeInputs(nodes[current]!)
      .map((name) => producerOf.get(name))
      .find((p): p is number => p !== undefined && stuck(p));
    current = blocker!;
  }
  const cycle = path.slice(seenAt.get(current)).reverse();
  const label = (i: number) => `'${nodes[i]!.name || `#${i}`}' (${nodes[i]!.opType})`;
  const where = graphName === '' ? 'the graph' : `graph '${graphName}'`;
  return new GraphStructureError(
    `${where} has a cycle, so its nodes cannot be ordered: ${[...cycle, cycle[0]!].map(label).join(' → ')}; ` +
      `node ${label(cycle[0]!)} is on it`,
  );
}
