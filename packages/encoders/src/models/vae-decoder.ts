import { castFloatTensor, OnnxSession, type SessionInputInfo, type SessionOptions } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { EncoderInputError } from '../errors.js';
import { componentPaths, positiveNumber, readComponentConfig } from './component-config.js';
import { floatDType, pickInput, pickOutput } from './io-names.js';
import { scalingFactorOf } from './scaling-factor.js';

/**
 * A VAE decoder session (`vae_decoder/`): latents as the UNet produces them in, an image in about
 * [-1, 1] out. Divides by the VAE's scaling factor first (config.json `scaling_factor`, default
 * 0.18215), casts to the model's float type, and returns float32.
 */
export class VaeDecoder {
  readonly scalingFactor: number;
  /** Whether {@link scalingFactor} came from config.json or is SD 1.x's default. */
  readonly scalingFactorSource: 'config' | 'default';
  /** Latent channels the decoder takes (4 for SD). */
  readonly latentChannels: number;
  readonly #input: SessionInputInfo;
  readonly #inputDType: 'float32' | 'float16';
  readonly #output: string;

  private constructor(
    /** The underlying session (its `stats` give the time spent in onnxruntime). */
    readonly session: OnnxSession,
    scaling: { value: number; source: 'config' | 'default' },
    latentChannels: number,
  ) {
    this.scalingFactor = scaling.value;
    this.scalingFactorSource = scaling.source;
    this.latentChannels = latentChannels;
    this.#input = pickInput(session, 'latent_sample', 'VAE decoder');
    this.#inputDType = floatDType(this.#input, session.path);
    this.#output = pickOutput(session, ['sample'], 'VAE decoder');
  }

  /** Loads `componentDir/model.onnx` with `componentDir/config.json` (or a `.onnx` path and the config beside it). */
  static async create(componentDir: string, options: SessionOptions = {}): Promise<VaeDecoder> {
    const { modelPath, dir } = componentPaths(componentDir);
    return OnnxSession.createOwned(modelPath, options, async (session) => {
      const config = await readComponentConfig(dir);
      const input = pickInput(session, 'latent_sample', 'VAE decoder');
      const declared = input.rankKnown ? input.shape[1] : undefined;
      const channels = typeof declared === 'number' ? declared : (positiveNumber(config, 'latent_channels', dir, true) ?? 4);
      return new VaeDecoder(session, scalingFactorOf(config, dir), channels);
    });
  }

  /**
   * Decodes `[B, C, h, w]` latents (not yet divided by the scaling factor) into `[B, 3, 8h, 8w]`
   * float32 images in about [-1, 1] (not clamped).
   */
  async decode(latents: Tensor<'float32'>): Promise<Tensor<'float32'>> {
    if (latents.dtype !== 'float32' || latents.rank !== 4 || latents.shape[1] !== this.latentChannels) {
      throw new EncoderInputError(
        `VaeDecoder.decode: expected float32 latents [B, ${this.latentChannels}, h, w], got ${latents.dtype}[${latents.shape.join(', ')}].`,
      );
    }
    const scaled = new Float32Array(latents.size);
    // diffusers divides (latents / scaling_factor); multiplying by the reciprocal can differ in the last bit.
    for (let i = 0; i < scaled.length; i++) scaled[i] = latents.data[i]! / this.scalingFactor;
    const feed = castFloatTensor(new Tensor('float32', scaled, latents.shape), this.#inputDType);
    const out = (await this.session.run({ [this.#input.name]: feed }, [this.#output]))[this.#output]!;
    return castFloatTensor(out, 'float32');
  }

  /** Gives the session back. */
  release(): Promise<void> {
    return this.session.release();
  }
}
