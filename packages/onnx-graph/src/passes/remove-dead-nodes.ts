import type { GraphProto, NodeProto } from '../gen/onnx_pb.js';
import { nodeInputs } from '../graph-scope.js';
import { copyGraph } from './copy.js';

/**
 * The graph without the nodes whose results reach no graph output, without the initializers no
 * remaining node reads, and without value_info for values that no longer exist. Graph inputs are
 * kept even when unused: they are the model's interface. Node order is preserved.
 */
export function removeDeadNodes(graph: GraphProto): GraphProto {
  const producerOf = new Map<string, NodeProto>();
  for (const node of graph.node) for (const out of node.output) if (out !== '') producerOf.set(out, node);

  const needed = new Set<string>();
  const live = new Set<NodeProto>();
  const pending = graph.output.map((v) => v.name);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (needed.has(name)) continue;
    needed.add(name);
    const node = producerOf.get(name);
    if (node === undefined || live.has(node)) continue;
    live.add(node);
    pending.push(...nodeInputs(node));
  }

  const inputs = new Set(graph.input.map((v) => v.name));
  const keptNodes = graph.node.filter((node) => live.has(node));
  const stillDefined = new Set(inputs);
  for (const node of keptNodes) for (const out of node.output) stillDefined.add(out);
  const keepTensor = (name: string) => needed.has(name) || inputs.has(name);
  return copyGraph(graph, {
    node: keptNodes,
    initializer: graph.initializer.filter((t) => keepTensor(t.name)),
    sparseInitializer: graph.sparseInitializer.filter((s) => keepTensor(s.values?.name ?? '')),
    valueInfo: graph.valueInfo.filter((v) => stillDefined.has(v.name) || needed.has(v.name)),
  });
}
