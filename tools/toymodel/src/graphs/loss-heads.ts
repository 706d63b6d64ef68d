import { GraphBuilder, type ModelProto, type Value } from '@perfusion/onnx-graph';

/** Names the training graphs' loss heads read and write. */
export const LOSS_OUTPUT = 'loss';

const headBuilder = (name: string): GraphBuilder => new GraphBuilder({ name, opset: 17, dtype: 'float32', producer: '@perfusion/toymodel' });

/**
 * `loss = mean(w · (prediction − target)²)` over every element, for predictions and targets
 * [B, C, h, w] and per-cell weights `cell_weights` [B, 1, h, w] shared by the channels: the
 * denoising objective, with the cells around objects weighable up. All-ones weights give the plain
 * mean squared error exactly.
 */
export function weightedSquaredErrorHead(channels: number): ModelProto {
  const b = headBuilder('weighted_squared_error');
  const prediction = b.input('prediction', 'float32', ['batch', channels, 'height', 'width']);
  const target = b.input('target', 'float32', ['batch', channels, 'height', 'width']);
  const weights = b.input('cell_weights', 'float32', ['batch', 1, 'height', 'width']);
  const error = b.sub(prediction, target);
  b.output(b.op('ReduceMean', [b.mul(weights, b.mul(error, error))], { keepdims: 0 })[0]!, LOSS_OUTPUT, 'float32', []);
  return b.build();
}

/**
 * The VAE's sampling step and prior term: from the encoder's `moments` [B, 2C, h, w] (mean, then
 * log-variance clipped to [−30, 20] as diffusers does) and standard normal `noise` [B, C, h, w],
 * `latent = mean + exp(logvar / 2)·noise` and `kl` = mean over elements of
 * ½(mean² + exp(logvar) − 1 − logvar), the KL divergence to N(0, 1) per latent element.
 */
export function gaussianSamplingHead(latentChannels: number): ModelProto {
  const b = headBuilder('gaussian_sampling');
  const moments = b.input('moments', 'float32', ['batch', 2 * latentChannels, 'latent_height', 'latent_width']);
  const noise = b.input('noise', 'float32', ['batch', latentChannels, 'latent_height', 'latent_width']);
  const mean = b.slice(moments, [0], [latentChannels], [1]);
  const rawLogVariance = b.slice(moments, [latentChannels], [2 * latentChannels], [1]);
  const logVariance = b.op('Clip', [rawLogVariance, b.constant([-30], []), b.constant([20], [])])[0]!;
  const variance = b.exp(logVariance);
  const latent = b.add(mean, b.mul(b.sqrt(variance), noise));
  const inner = b.sub(b.add(b.mul(mean, mean), variance), b.add(b.constant([1], []), logVariance));
  const kl = b.mul(b.constant([0.5], []), b.op('ReduceMean', [inner], { keepdims: 0 })[0]!);
  b.output(latent, 'latent', 'float32', ['batch', latentChannels, 'latent_height', 'latent_width']);
  b.output(kl, 'kl', 'float32', []);
  return b.build();
}

/** The inputs of a reconstruction loss and `mean(w · (|r − x| + (r − x)²))` over them (see {@link autoencoderLossHead}). */
function weightedReconstructionError(b: GraphBuilder): Value {
  const reconstruction = b.input('reconstruction', 'float32', ['batch', 3, 'height', 'width']);
  const image = b.input('image', 'float32', ['batch', 3, 'height', 'width']);
  const weights = b.input('pixel_weights', 'float32', ['batch', 1, 'height', 'width']);
  const error = b.sub(reconstruction, image);
  const perPixel = b.add(b.op('Abs', [error])[0]!, b.mul(error, error));
  return b.op('ReduceMean', [b.mul(weights, perPixel)], { keepdims: 0 })[0]!;
}

/**
 * `loss = mean(w · (|r − x| + (r − x)²)) + klWeight · kl` for reconstruction r, image x and
 * per-pixel weights w [B, 1, H, W]. The absolute term keeps edges sharp (squared error alone
 * blurs them); the weights let small objects, a few dozen pixels against thousands of background
 * ones, count as much as the background does.
 */
export function autoencoderLossHead(klWeight: number): ModelProto {
  const b = headBuilder('autoencoder_loss');
  const reconstructionLoss = weightedReconstructionError(b);
  const kl = b.input('kl', 'float32', []);
  b.output(b.add(reconstructionLoss, b.mul(b.constant([klWeight], []), kl)), LOSS_OUTPUT, 'float32', []);
  return b.build();
}

/** {@link autoencoderLossHead} without a prior term: for a decoder trained on given latents. */
export function reconstructionLossHead(): ModelProto {
  const b = headBuilder('reconstruction_loss');
  b.output(weightedReconstructionError(b), LOSS_OUTPUT, 'float32', []);
  return b.build();
}
