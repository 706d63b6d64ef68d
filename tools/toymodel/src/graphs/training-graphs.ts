import { buildGradientGraph, GraphIndex, type ModelProto } from '@perfusion/onnx-graph';
import { buildTextEncoder, buildUnet, buildVaeDecoder, buildVaeEncoder } from '@perfusion/fixtures';
import { Rng } from '@perfusion/tensor-core';
import { TOY_TEXT_ENCODER, TOY_UNET, TOY_VAE } from '../architecture.js';
import { joinModels } from './join-models.js';
import { autoencoderLossHead, gaussianSamplingHead, LOSS_OUTPUT, reconstructionLossHead, weightedSquaredErrorHead } from './loss-heads.js';
import { withTrainableInputs, type TrainableParameter } from './trainable-parameters.js';

/** A differentiated training graph and the weights it takes as inputs. */
export interface TrainingGraph {
  /** Outputs `loss`, then `grad/<parameter name>` for every parameter in order. */
  readonly model: ModelProto;
  readonly parameters: readonly TrainableParameter[];
}

/** The toy model's networks, by the component name of their model-folder sub-folder. */
export type ToyComponent = 'text_encoder' | 'unet' | 'vae_encoder' | 'vae_decoder';

/** Seed of the networks' initial weights (the names of trained weights come from these builds). */
export const INITIAL_WEIGHTS_SEED = 0;

const BUILDERS: Readonly<Record<ToyComponent, (rng: Rng) => ModelProto>> = {
  text_encoder: (rng) => buildTextEncoder(TOY_TEXT_ENCODER, { rng }),
  unet: (rng) => buildUnet(TOY_UNET, { rng }),
  vae_encoder: (rng) => buildVaeEncoder(TOY_VAE, { rng }),
  vae_decoder: (rng) => buildVaeDecoder(TOY_VAE, { rng }),
};

/**
 * One toy network with fresh weights (the fixture builders' seeded initialisation, each network
 * from its own fork of `Rng(seed)`), built alone: a stage needs two of the four networks.
 */
export function initialNetwork(component: ToyComponent, seed = INITIAL_WEIGHTS_SEED): ModelProto {
  return BUILDERS[component](new Rng(seed).fork(component));
}

const differentiate = (model: ModelProto, parameters: readonly TrainableParameter[], inferShapes = true): TrainingGraph => ({
  model: buildGradientGraph(model, { loss: LOSS_OUTPUT, wrt: parameters.map((p) => p.name), inferShapes }),
  parameters,
});

/**
 * The text-to-image denoising objective over the text encoder and the UNet together:
 * inputs `input_ids` [B, 77], `sample` (noised latents), `timestep`, `target` (v or ε),
 * `cell_weights` [B, 1, h, w]; `loss` = weighted mean squared error of the UNet's prediction. Gradients reach every weight of both
 * networks (the encoder learns the world's words with the UNet). `inferShapes: false` builds the
 * gradient graph from recorded shapes only (`bench:toy-base-step` compares the two).
 */
export function diffusionTrainingGraph(textEncoder: ModelProto, unet: ModelProto, options: { inferShapes?: boolean } = {}): TrainingGraph {
  const te = withTrainableInputs(textEncoder, 'text_encoder');
  const un = withTrainableInputs(unet, 'unet');
  let model = joinModels(te.model, un.model, { connect: { encoder_hidden_states: 'last_hidden_state' }, prefix: 'unet:' });
  model = joinModels(model, weightedSquaredErrorHead(TOY_UNET.outChannels), { connect: { prediction: 'out_sample' }, prefix: 'loss:' });
  return differentiate(model, [...te.parameters, ...un.parameters], options.inferShapes);
}

/**
 * Encoder → sampled latent → decoder → reconstruction loss, over whatever weights the two networks
 * take as inputs.
 */
function reconstructionModel(encoder: ModelProto, decoder: ModelProto, klWeight: number): ModelProto {
  // The encoder's output is the mean half of quant_conv's moments; the sampling head wants both halves.
  const meanSlice = new GraphIndex(encoder.graph!).producer('latent_sample');
  const moments = meanSlice?.input[0];
  if (moments === undefined) throw new Error('reconstructionModel: the VAE encoder has no latent_sample Slice (not built by buildVaeEncoder?)');
  let model = joinModels(encoder, gaussianSamplingHead(TOY_VAE.latentChannels), { connect: { moments }, prefix: 'sampling:' });
  model = joinModels(model, decoder, { connect: { latent_sample: 'latent' }, prefix: 'decoder:', rename: { sample: 'reconstruction' } });
  return joinModels(model, autoencoderLossHead(klWeight), { connect: { reconstruction: 'reconstruction', image: 'sample', kl: 'kl' }, prefix: 'loss:' });
}

/**
 * The autoencoder objective: inputs `sample` (images in [−1, 1]), `noise` (standard normal,
 * latent-shaped) and `pixel_weights` [B, 1, H, W]; the encoder's Gaussian is sampled, decoded, and
 * `loss` = weighted absolute + squared reconstruction error + klWeight · KL to N(0, 1)
 * (see {@link autoencoderLossHead}).
 */
export function autoencoderTrainingGraph(encoder: ModelProto, decoder: ModelProto, klWeight: number): TrainingGraph {
  const enc = withTrainableInputs(encoder, 'vae_encoder');
  const dec = withTrainableInputs(decoder, 'vae_decoder');
  return differentiate(reconstructionModel(enc.model, dec.model, klWeight), [...enc.parameters, ...dec.parameters]);
}

/**
 * The autoencoder objective (same inputs) with only the decoder's weights trainable: the encoder
 * keeps its weights as constants, so the latent space the UNet learnt does not move while the
 * decoder learns to draw sharper pictures from it.
 */
export function decoderTrainingGraph(trainedEncoder: ModelProto, decoder: ModelProto): TrainingGraph {
  const dec = withTrainableInputs(decoder, 'vae_decoder');
  return differentiate(reconstructionModel(trainedEncoder, dec.model, 0), dec.parameters);
}

/**
 * The decoder alone on given latents: inputs `latent_sample` [B, C, h, w] (the encoder's latent
 * space, unscaled), `image` (the pictures they should decode to, in [−1, 1]) and `pixel_weights`;
 * `loss` as {@link autoencoderLossHead}'s without the prior term. For latents the encoder did not
 * make: the denoiser's (see `generated-latents.ts`).
 */
export function latentDecoderTrainingGraph(decoder: ModelProto): TrainingGraph {
  const dec = withTrainableInputs(decoder, 'vae_decoder');
  const model = joinModels(dec.model, reconstructionLossHead(), { connect: { reconstruction: 'sample' }, prefix: 'loss:' });
  return differentiate(model, dec.parameters);
}
