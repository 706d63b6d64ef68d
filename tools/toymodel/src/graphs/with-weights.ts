import { copyGraph, tensorToProto, TensorProto_DataType, type ModelProto } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { BaseTrainingError } from '../errors.js';
import type { StageCheckpoint } from '../training/checkpoint.js';
import { initialNetwork, type ToyComponent } from './training-graphs.js';

/**
 * The network with its float32 initializers replaced by trained values: `weights` maps each
 * initializer's name to its values. Every float32 initializer must have trained values of its
 * size, so a checkpoint of another architecture cannot slip through.
 * @throws BaseTrainingError naming the first initializer without (matching) trained values.
 */
export function withWeights(model: ModelProto, weights: ReadonlyMap<string, Float32Array>, source: string): ModelProto {
  const graph = model.graph!;
  const initializer = graph.initializer.map((init) => {
    if (init.dataType !== TensorProto_DataType.FLOAT) return init;
    const values = weights.get(init.name);
    const shape = init.dims.map(Number);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values?.length !== size) throw new BaseTrainingError(`${source} holds no ${size} values for weight '${init.name}' of ${graph.name}; it was trained for another architecture.`);
    return tensorToProto(init.name, new Tensor('float32', values, shape));
  });
  return { ...model, graph: copyGraph(graph, { initializer }) };
}

/** One component's weights from a stage checkpoint (the moving average), keyed by initializer name. */
export function componentWeights(checkpoint: StageCheckpoint, component: string): Map<string, Float32Array> {
  const prefix = `${component}/`;
  const out = new Map<string, Float32Array>();
  for (const [name, values] of checkpoint.average) if (name.startsWith(prefix)) out.set(name.slice(prefix.length), values);
  return out;
}

/** A component's network carrying a stage checkpoint's averaged weights (`source` names the checkpoint in errors). */
export function trainedNetwork(checkpoint: StageCheckpoint, component: ToyComponent, source: string): ModelProto {
  return withWeights(initialNetwork(component), componentWeights(checkpoint, component), source);
}
