import {
  addGraphInput,
  addGraphOutput,
  buildGradientGraph,
  cachePatchedModel,
  copyGraph,
  gradientOutputName,
  type ModelProto,
} from '@perfusion/onnx-graph';
import { HIDDEN_STATES_INPUT, NOISE_OUTPUT, layerRowInputs, type PatchedUnet } from '@perfusion/unet';
import { weightedSquaredErrorNodes } from './loss-nodes.js';
import { TRAINING_LOSS_OUTPUT, TRAINING_TARGET_INPUT, TRAINING_WEIGHTS_INPUT } from './names.js';
import { asTrainingGraphError } from './errors.js';
import type { KeysMode } from '../training/request.js';

/** Bump when the training graph changes, so older cached graphs are not reused. */
export const UNET_TRAINING_GRAPH_VERSION = 5;

/** The UNet training graph in the cache and the names of its outputs. */
export interface UnetTrainingGraph {
  /** The graph's `model.onnx` (weights hard-linked from the patched UNet). */
  readonly modelPath: string;
  readonly loss: string;
  /** Gradient output of `encoder_hidden_states` ([batch, tokens, d]). */
  readonly hiddenStatesGradient: string;
  /** Gradient output of `perfusion_coeffs` ([batch, tokens, 2M]). */
  readonly coefficientsGradient: string;
  /** Gradient output of each layer's V rows ([1, 2M, width]), by layer key. */
  readonly valueRowsGradients: ReadonlyMap<string, string>;
  /** Gradient output of each layer's K rows ([1, 2M, width]), by layer key: only in the graph for trained keys. */
  readonly keyRowsGradients?: ReadonlyMap<string, string>;
  /** Whether the cache already held it. */
  readonly reused: boolean;
}

/**
 * The patched UNet extended with Perfusion's training loss and differentiated: one ONNX graph that
 * takes the patched UNet's inputs plus {@link TRAINING_TARGET_INPUT} and {@link TRAINING_WEIGHTS_INPUT}
 * and returns the loss Σ w·(ε̂ − ε)² with its gradients w.r.t. the text states, the coefficient
 * matrix and every layer's V rows (the only values training changes while keys are locked); with
 * `keys: 'trained'` also w.r.t. every layer's K rows. No weight gradient is computed. Written once
 * beside the patched UNet (onnx-graph's patched-model cache, weights hard-linked) and reused; the
 * two kinds are separate cache entries, since the list of differentiated inputs is part of the
 * cache key (the locked graph's list, and so its cache entry, is the same as before the option).
 */
export async function unetTrainingGraph(
  patched: PatchedUnet,
  options: { cacheDir?: string; allowCopy?: boolean; keys?: KeysMode } = {},
): Promise<UnetTrainingGraph> {
  const valueRows = patched.layers.map((layer) => layerRowInputs(layer.key).v);
  const keyRows = options.keys === 'trained' ? patched.layers.map((layer) => layerRowInputs(layer.key).k) : [];
  const wrt = [HIDDEN_STATES_INPUT, patched.inputs.coefficients, ...valueRows, ...keyRows];
  try {
    const cached = await cachePatchedModel(patched.modelPath, {
      label: options.keys === 'trained' ? 'UNet training graph (trained keys)' : 'UNet training graph',
      kind: 'unet-training-graph',
      patchVersion: UNET_TRAINING_GRAPH_VERSION,
      options: { wrt },
      sourceLinkName: 'patched-model.onnx',
      cacheSubdir: 'unet-training-graphs',
      ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
      allowCopy: options.allowCopy === true,
      patch: (model) => {
        const differentiated = buildGradientGraph(withTrainingLoss(model), { loss: TRAINING_LOSS_OUTPUT, wrt });
        model.graph = differentiated.graph;
        model.opsetImport = differentiated.opsetImport;
        return { wrt };
      },
    });
    return {
      modelPath: cached.modelPath,
      loss: TRAINING_LOSS_OUTPUT,
      hiddenStatesGradient: gradientOutputName(HIDDEN_STATES_INPUT),
      coefficientsGradient: gradientOutputName(patched.inputs.coefficients),
      valueRowsGradients: new Map(patched.layers.map((layer, i) => [layer.key, gradientOutputName(valueRows[i]!)])),
      ...(keyRows.length > 0 && { keyRowsGradients: new Map(patched.layers.map((layer, i) => [layer.key, gradientOutputName(keyRows[i]!)])) }),
      reused: cached.reused,
    };
  } catch (error) {
    throw asTrainingGraphError(error, 'the UNet training graph', patched.modelPath);
  }
}

/** The patched UNet with the loss inputs and the loss output added. */
function withTrainingLoss(model: ModelProto): ModelProto {
  let graph = model.graph!;
  const output = graph.output.find((o) => o.name === NOISE_OUTPUT) ?? graph.output[0]!;
  graph = addGraphInput(graph, TRAINING_TARGET_INPUT, 'float32', ['batch', 'channels', 'height', 'width']);
  graph = addGraphInput(graph, TRAINING_WEIGHTS_INPUT, 'float32', ['batch', 1, 'height', 'width']);
  graph = copyGraph(graph, { node: [...graph.node, ...weightedSquaredErrorNodes('/perfusion_training/loss', output.name, TRAINING_TARGET_INPUT, TRAINING_WEIGHTS_INPUT, TRAINING_LOSS_OUTPUT)] });
  graph = addGraphOutput(graph, TRAINING_LOSS_OUTPUT, 'float32', []);
  return { ...model, graph };
}
