import type { DType } from '@perfusion/tensor-core';
import { GraphStructureError } from '../errors.js';
import type { GraphProto, TensorProto, TensorProto_DataType } from '../gen/onnx_pb.js';
import type { Dim } from '../shape-info.js';
import { tensorValueInfo } from '../shape-info.js';
import { copyGraph } from './copy.js';
import { definesValue, recordedValueType } from './value-lookup.js';

/**
 * The graph with a new tensor input.
 * @param elemType tensor-core dtype or ONNX element type code.
 * @param shape dims: numbers fixed, strings symbolic (`'batch'`), null unknown.
 * @throws GraphStructureError when a node, input or initializer already defines `name`.
 */
export function addGraphInput(
  graph: GraphProto,
  name: string,
  elemType: DType | TensorProto_DataType,
  shape: readonly Dim[],
): GraphProto {
  if (definesValue(graph, name)) {
    throw new GraphStructureError(`cannot add input '${name}' to graph '${graph.name}': a value of that name already exists`);
  }
  return copyGraph(graph, { input: [...graph.input, tensorValueInfo(name, elemType, shape)] });
}

/**
 * The graph with an existing value exposed as an extra output. Element type and shape default to
 * what the graph records for the value (value_info, input, initializer); give them when it
 * records nothing (onnxruntime needs the element type of every output).
 * @throws GraphStructureError when nothing defines the value, it is already an output, or its type is unknown.
 */
export function addGraphOutput(
  graph: GraphProto,
  name: string,
  elemType?: DType | TensorProto_DataType,
  shape?: readonly Dim[],
): GraphProto {
  if (!definesValue(graph, name)) {
    throw new GraphStructureError(`cannot add output '${name}' to graph '${graph.name}': no node, input or initializer defines it`);
  }
  if (graph.output.some((v) => v.name === name)) {
    throw new GraphStructureError(`cannot add output '${name}' to graph '${graph.name}': it is already an output`);
  }
  const known = recordedValueType(graph, name);
  const type = elemType ?? known?.elemType;
  if (type === undefined) {
    throw new GraphStructureError(
      `cannot add output '${name}' to graph '${graph.name}': its element type is not recorded; pass elemType`,
    );
  }
  const dims = shape ?? (elemType === undefined ? known?.shape : undefined);
  return copyGraph(graph, { output: [...graph.output, tensorValueInfo(name, type, dims)] });
}

/**
 * The graph without the output `name` (the value itself stays; run `removeDeadNodes` to drop
 * what only fed it).
 * @throws GraphStructureError when there is no such output.
 */
export function removeGraphOutput(graph: GraphProto, name: string): GraphProto {
  if (!graph.output.some((v) => v.name === name)) {
    throw new GraphStructureError(`cannot remove output '${name}' from graph '${graph.name}': no such output`);
  }
  return copyGraph(graph, { output: graph.output.filter((v) => v.name !== name) });
}

/**
 * The graph with one more initializer (e.g. from `tensorToProto`, or an external tensor).
 * @throws GraphStructureError when a node, input or initializer already defines its name.
 */
export function addInitializer(graph: GraphProto, tensor: TensorProto): GraphProto {
  if (definesValue(graph, tensor.name)) {
    throw new GraphStructureError(
      `cannot add initializer '${tensor.name}' to graph '${graph.name}': a value of that name already exists`,
    );
  }
  return copyGraph(graph, { initializer: [...graph.initializer, tensor] });
}
