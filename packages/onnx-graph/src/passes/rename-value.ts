import { GraphStructureError } from '../errors.js';
import type { GraphProto } from '../gen/onnx_pb.js';
import { copyGraph, copyNode, copyTensor, copyValueInfo } from './copy.js';
import { replaceUses } from './replace-uses.js';
import { definesValue } from './value-lookup.js';

/** Options of {@link renameValue}. */
export interface RenameValueOptions {
  /**
   * Rename a graph output called `from` too (default true). Pass false to keep the model's output
   * name while something new is inserted to produce it — the way to splice a node in front of an
   * output: rename `y` to `y_raw` keeping outputs, then insert a node reading `y_raw` and writing `y`.
   */
  readonly graphOutputs?: boolean;
}

/**
 * The graph with value `from` called `to` everywhere: where it is produced (node output, graph
 * input or initializer), where it is read (including subgraphs), in graph outputs and value_info.
 * @throws GraphStructureError when `to` already names a value, or `from` names none.
 */
export function renameValue(graph: GraphProto, from: string, to: string, options: RenameValueOptions = {}): GraphProto {
  if (from === to) return graph;
  const defines = (name: string) => definesValue(graph, name);
  if (defines(to)) {
    throw new GraphStructureError(`cannot rename '${from}' to '${to}' in graph '${graph.name}': '${to}' is already a value there`);
  }
  if (!defines(from)) {
    throw new GraphStructureError(`cannot rename '${from}' in graph '${graph.name}': no node, input or initializer defines it`);
  }
  const read = replaceUses(graph, from, to, { graphOutputs: options.graphOutputs ?? true });
  const rename = <T extends { name: string }>(item: T, copy: (item: T, changes: { name: string }) => T): T =>
    item.name === from ? copy(item, { name: to }) : item;
  return copyGraph(read, {
    node: read.node.map((n) =>
      n.output.includes(from) ? copyNode(n, { output: n.output.map((o) => (o === from ? to : o)) }) : n,
    ),
    input: read.input.map((v) => rename(v, copyValueInfo)),
    initializer: read.initializer.map((t) => rename(t, copyTensor)),
    valueInfo: read.valueInfo.map((v) => rename(v, copyValueInfo)),
  });
}
