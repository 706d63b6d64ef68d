import { castFloatTensor, OnnxSession, type SessionInputInfo, type SessionOptions } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { EncoderInputError } from '../errors.js';
import { componentPaths, readComponentConfig } from './component-config.js';
import { floatDType, pickInput, pickOutput } from './io-names.js';
import { scalingFactorOf } from './scaling-factor.js';

/**
 * A VAE encoder session (`vae_encoder/`): images in [-1, 1] in, latents × scaling factor out.
 *
 * Exports differ in what they return: optimum's older exports give a `latent_sample` (C channels,
 * used as it is); newer ones give `latent_parameters` (mean and log-variance, 2C channels), of
 * which the mean is taken (the distribution's mode, deterministic).
 */
export class VaeEncoder {
  readonly scalingFactor: number;
  readonly scalingFactorSource: 'config' | 'default';
  readonly #input: SessionInputInfo;
  readonly #inputDType: 'float32' | 'float16';
  readonly #output: string;

  private constructor(
    /** The underlying session (its `stats` give the time spent in onnxruntime). */
    readonly session: OnnxSession,
    scaling: { value: number; source: 'config' | 'default' },
  ) {
    this.scalingFactor = scaling.value;
    this.scalingFactorSource = scaling.source;
    this.#input = pickInput(session, 'sample', 'VAE encoder');
    this.#inputDType = floatDType(this.#input, session.path);
    this.#output = pickOutput(session, ['latent_sample', 'latent_parameters'], 'VAE encoder');
  }

  /** Loads `componentDir/model.onnx` with `componentDir/config.json` (or a `.onnx` path and the config beside it). */
  static async create(componentDir: string, options: SessionOptions = {}): Promise<VaeEncoder> {
    const { modelPath, dir } = componentPaths(componentDir);
    return OnnxSession.createOwned(modelPath, options, async (session) => new VaeEncoder(session, scalingFactorOf(await readComponentConfig(dir), dir)));
  }

  /** Encodes `[B, 3, H, W]` float32 images in [-1, 1] into `[B, C, H/8, W/8]` latents, multiplied by the scaling factor. */
  async encode(images: Tensor<'float32'>): Promise<Tensor<'float32'>> {
    if (images.dtype !== 'float32' || images.rank !== 4 || images.shape[1] !== 3) {
      throw new EncoderInputError(`VaeEncoder.encode: expected float32 images [B, 3, H, W] in [-1, 1], got ${images.dtype}[${images.shape.join(', ')}].`);
    }
    const feed = castFloatTensor(images, this.#inputDType);
    const raw = castFloatTensor((await this.session.run({ [this.#input.name]: feed }, [this.#output]))[this.#output]!, 'float32');
    const [batch, channels, height, width] = raw.shape as [number, number, number, number];
    const keep = this.#output === 'latent_parameters' ? channels / 2 : channels;
    const plane = height * width;
    const out = new Float32Array(batch * keep * plane);
    for (let b = 0; b < batch; b++) {
      const from = b * channels * plane;
      for (let i = 0; i < keep * plane; i++) out[b * keep * plane + i] = raw.data[from + i]! * this.scalingFactor;
    }
    return new Tensor('float32', out, [batch, keep, height, width]);
  }

  /** Gives the session back. */
  release(): Promise<void> {
    return this.session.release();
  }
}
