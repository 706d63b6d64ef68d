import type { GraphProto } from '../gen/onnx_pb.js';
import type { ValueType } from '../graph-index.js';
import { valueElemType, valueShape } from '../shape-info.js';

// Single-question lookups by linear scan, for passes that ask one thing once: cheaper than
// building a whole GraphIndex for it.

/** Whether a node output, graph input or initializer of `graph` is called `name`. */
export function definesValue(graph: GraphProto, name: string): boolean {
  return (
    graph.input.some((v) => v.name === name) ||
    graph.initializer.some((t) => t.name === name) ||
    graph.node.some((n) => n.output.includes(name))
  );
}

/** The element type and shape `graph` records for `name` (value infos first, then initializers). */
export function recordedValueType(graph: GraphProto, name: string): ValueType | undefined {
  for (const list of [graph.input, graph.output, graph.valueInfo]) {
    const info = list.find((v) => v.name === name);
    const elemType = info === undefined ? undefined : valueElemType(info);
    if (info !== undefined && elemType !== undefined) return { elemType, shape: valueShape(info) };
  }
  const init = graph.initializer.find((t) => t.name === name);
  return init === undefined ? undefined : { elemType: init.dataType, shape: init.dims.map((d) => Number(d)) };
}
