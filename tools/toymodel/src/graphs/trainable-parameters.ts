import {
  addGraphInput,
  copyGraph,
  copyNode,
  tensorDims,
  tensorFromProto,
  TensorProto_DataType,
  type ModelProto,
} from '@perfusion/onnx-graph';

/** One trainable weight of a network. */
export interface TrainableParameter {
  /** `<component>/<initializer name>`: unique across the networks one training graph joins. */
  readonly name: string;
  /** The network it belongs to (`unet`, `text_encoder`, `vae_encoder`, `vae_decoder`). */
  readonly component: string;
  /** The initializer's name in that network's model. */
  readonly initializer: string;
  readonly shape: readonly number[];
  /** Current values: updated in place by the optimiser and fed to the training graph each step. */
  readonly values: Float32Array;
}

/** A model whose trainable weights are graph inputs, and those weights. */
export interface TrainableModel {
  readonly model: ModelProto;
  readonly parameters: readonly TrainableParameter[];
}

/**
 * The model with every float32 initializer turned into a graph input named
 * `<component>/<initializer>` (the values taken out of the graph), so one onnxruntime session
 * runs it with weights that change every step, autodiff can differentiate with respect to them,
 * and networks whose builders happen to give two weights the same name can still be joined.
 * Integer initializers (position ids) stay.
 */
export function withTrainableInputs(model: ModelProto, component: string): TrainableModel {
  let graph = model.graph!;
  const kept = [];
  const parameters: TrainableParameter[] = [];
  for (const init of graph.initializer) {
    if (init.dataType !== TensorProto_DataType.FLOAT) {
      kept.push(init);
      continue;
    }
    const values = new Float32Array(tensorFromProto(init).data as Float32Array);
    parameters.push({ name: `${component}/${init.name}`, component, initializer: init.name, shape: tensorDims(init), values });
  }
  const renamed = new Map(parameters.map((p) => [p.initializer, p.name]));
  const node = graph.node.map((n) => (n.input.some((i) => renamed.has(i)) ? copyNode(n, { input: n.input.map((i) => renamed.get(i) ?? i) }) : n));
  graph = copyGraph(graph, { initializer: kept, node });
  for (const p of parameters) graph = addGraphInput(graph, p.name, 'float32', p.shape);
  return { model: { ...model, graph }, parameters };
}
