import type { ModelProto } from '../gen/onnx_pb.js';
import { GraphIndex } from '../graph-index.js';

/**
 * How many broadcast sums of a gradient graph work out their axes at run time: ReduceSum nodes
 * whose `axes` are `Reshape(NonZero(…))`, the form the autodiff emits when it cannot tell from
 * shapes known while building whether an operand was broadcast (see `GradientRequest.inferShapes`).
 * Each one reads two shapes and runs a small chain of ops every step, so the count shows what
 * shape inference saved. Found by structure, not by node names, so renaming cannot hide one.
 */
export function countRuntimeBroadcastSums(model: ModelProto): number {
  const graph = model.graph;
  if (graph === undefined) return 0;
  const index = new GraphIndex(graph);
  return graph.node.filter((node) => {
    if (node.opType !== 'ReduceSum' || node.domain !== '' || (node.input[1] ?? '') === '') return false;
    const reshape = index.producer(node.input[1]!);
    return reshape?.opType === 'Reshape' && index.producer(reshape.input[0] ?? '')?.opType === 'NonZero';
  }).length;
}
