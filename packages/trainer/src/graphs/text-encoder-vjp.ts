import { addGraphInput, addGraphOutput, buildGradientGraph, cachePatchedModel, copyGraph, gradientOutputName, type ModelProto } from '@perfusion/onnx-graph';
import { PERFUSION_TOKEN_EMBEDDINGS_INPUT } from '@perfusion/encoders';
import { innerProductNodes } from './loss-nodes.js';
import { TEXT_ENCODER_OUTPUT, TRAINING_LOSS_OUTPUT, UPSTREAM_GRADIENT_INPUT } from './names.js';
import { asTrainingGraphError } from './errors.js';

/** Bump when the graph changes, so older cached graphs are not reused. */
export const TEXT_ENCODER_VJP_VERSION = 5;

/** The text encoder's vector-Jacobian-product graph in the cache. */
export interface TextEncoderVjpGraph {
  readonly modelPath: string;
  /** Gradient output of `perfusion_token_embeddings` ([extra tokens, d_emb]). */
  readonly embeddingsGradient: string;
  readonly reused: boolean;
}

/**
 * The text encoder (already extended with `perfusion_token_embeddings`) turned into its
 * vector-Jacobian product: given ids, the extra embedding rows and an upstream gradient G
 * ({@link UPSTREAM_GRADIENT_INPUT}, float32 shaped like `last_hidden_state`), it returns
 * ∂(Σ last_hidden_state · G)/∂ embeddings — the training loss's gradient w.r.t. the concept token's
 * word embedding once G is the loss's gradient w.r.t. the text states. Cached beside the model.
 */
export async function textEncoderVjpGraph(extendedModelPath: string, options: { cacheDir?: string; allowCopy?: boolean } = {}): Promise<TextEncoderVjpGraph> {
  try {
    const cached = await cachePatchedModel(extendedModelPath, {
      label: 'text-encoder gradient graph',
      kind: 'text-encoder-vjp',
      patchVersion: TEXT_ENCODER_VJP_VERSION,
      sourceLinkName: 'text-encoder-model.onnx',
      cacheSubdir: 'text-encoder-gradients',
      ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
      allowCopy: options.allowCopy === true,
      patch: (model) => {
        const differentiated = buildGradientGraph(withInnerProductLoss(model), { loss: TRAINING_LOSS_OUTPUT, wrt: [PERFUSION_TOKEN_EMBEDDINGS_INPUT] });
        model.graph = differentiated.graph;
        model.opsetImport = differentiated.opsetImport;
      },
    });
    return { modelPath: cached.modelPath, embeddingsGradient: gradientOutputName(PERFUSION_TOKEN_EMBEDDINGS_INPUT), reused: cached.reused };
  } catch (error) {
    throw asTrainingGraphError(error, 'the text-encoder gradient graph', extendedModelPath);
  }
}

function withInnerProductLoss(model: ModelProto): ModelProto {
  let graph = addGraphInput(model.graph!, UPSTREAM_GRADIENT_INPUT, 'float32', ['batch', 'sequence', 'hidden']);
  graph = copyGraph(graph, { node: [...graph.node, ...innerProductNodes('/perfusion_training/vjp', TEXT_ENCODER_OUTPUT, UPSTREAM_GRADIENT_INPUT, TRAINING_LOSS_OUTPUT)] });
  graph = addGraphOutput(graph, TRAINING_LOSS_OUTPUT, 'float32', []);
  return { ...model, graph };
}
