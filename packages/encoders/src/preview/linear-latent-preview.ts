import { solveSPD, Tensor } from '@perfusion/tensor-core';
import { EncoderInputError } from '../errors.js';
import type { RgbImage } from '../image/rgb-image.js';
import type { PreviewDecoder } from './preview-decoder.js';

/**
 * SD 1.x latent → RGB factors (rows: latent channels 1..4; columns: R, G, B), for latents as the
 * UNet produces them (not divided by the scaling factor), giving RGB in about [-1, 1].
 *
 * These are the `latent_rgb_factors` of ComfyUI's `SD15` latent format (comfy/latent_formats.py),
 * a least-squares fit of SD 1.5's VAE output to its latents. An earlier, widely copied estimate
 * for SD 1.4 is Keturn's ("Decoding latents to RGB without upscaling", Hugging Face forums, 2022):
 * [[0.298, 0.207, 0.208], [0.187, 0.286, 0.173], [-0.158, 0.189, 0.264], [-0.184, -0.271, -0.473]].
 */
export const SD1_LATENT_RGB_FACTORS: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([0.3512, 0.2297, 0.3227]),
  Object.freeze([0.325, 0.4974, 0.235]),
  Object.freeze([-0.2829, 0.1762, 0.2721]),
  Object.freeze([-0.212, -0.2616, -0.7177]),
]);

/** What {@link LinearLatentPreview.fit} needs of a VAE decoder (a `VaeDecoder` fits). */
export interface LatentDecoder {
  readonly latentChannels: number;
  decode(latents: Tensor<'float32'>): Promise<Tensor<'float32'>>;
}

/** A source of standard normal numbers (tensor-core's `Rng` and every `NoiseSource` fit). */
export interface NormalSource {
  fillNormal(out: Float32Array): Float32Array;
}

/** Options of {@link LinearLatentPreview.fit}. */
export interface FitPreviewOptions {
  /** Random latents decoded. Default 4. */
  readonly samples?: number;
  /** Latent height and width of each. Default 8 × 8 (a 64 × 64 image). */
  readonly height?: number;
  readonly width?: number;
}

/**
 * A cheap preview: each latent pixel becomes one RGB pixel by a linear map plus a bias,
 * `rgb = Σ_k latent_k · weights[k] + bias`, then `[-1, 1]` → 0..255. No VAE runs; the picture has
 * the latents' resolution (1/8 of the image's).
 */
export class LinearLatentPreview implements PreviewDecoder {
  /** SD 1.x's factors ({@link SD1_LATENT_RGB_FACTORS}), no bias. */
  static readonly SD1 = new LinearLatentPreview();

  /** `[latentChannels][3]`. */
  readonly weights: readonly (readonly number[])[];
  /** `[3]`, added after the map. */
  readonly bias: readonly number[];

  constructor(weights: readonly (readonly number[])[] = SD1_LATENT_RGB_FACTORS, bias: readonly number[] = [0, 0, 0]) {
    if (!Array.isArray(weights) || weights.length === 0 || weights.some((row) => !Array.isArray(row) || row.length !== 3 || row.some((v) => !Number.isFinite(v)))) {
      throw new EncoderInputError('LinearLatentPreview: weights must be one [r, g, b] row of finite numbers per latent channel.');
    }
    if (!Array.isArray(bias) || bias.length !== 3 || bias.some((v) => !Number.isFinite(v))) {
      throw new EncoderInputError('LinearLatentPreview: bias must be three finite numbers [r, g, b].');
    }
    this.weights = Object.freeze(weights.map((row) => Object.freeze([...row])));
    this.bias = Object.freeze([...bias]);
  }

  /** Latent channels this map takes. */
  get channels(): number {
    return this.weights.length;
  }

  /**
   * Fits the map and bias to a VAE decoder by least squares: decodes a few standard-normal latents
   * once, averages each decoded 8 × 8 block (the pixels one latent pixel becomes), and solves the
   * normal equations with `solveSPD`. For models whose VAE is not SD's (such as the test fixtures).
   */
  static async fit(decoder: LatentDecoder, rng: NormalSource, options: FitPreviewOptions = {}): Promise<LinearLatentPreview> {
    const samples = options.samples ?? 4;
    const height = options.height ?? 8;
    const width = options.width ?? 8;
    for (const [name, value] of [['samples', samples], ['height', height], ['width', width]] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new EncoderInputError(`LinearLatentPreview.fit: ${name} must be a positive integer, got ${value}.`);
    }
    const c = decoder.latentChannels;
    const plane = height * width;
    const latents = rng.fillNormal(new Float32Array(samples * c * plane));
    const images = await decoder.decode(new Tensor('float32', latents, [samples, c, height, width]));
    const [, channels, imageHeight, imageWidth] = images.shape as [number, number, number, number];
    if (images.rank !== 4 || channels !== 3 || imageHeight % height !== 0 || imageWidth % width !== 0) {
      throw new EncoderInputError(`LinearLatentPreview.fit: the decoder returned [${images.shape.join(', ')}] for latents [${samples}, ${c}, ${height}, ${width}]; expected [${samples}, 3, k·${height}, k·${width}].`);
    }
    const fy = imageHeight / height;
    const fx = imageWidth / width;
    const n = c + 1;
    const a = new Float64Array(n * n);
    const b = new Float64Array(n * 3);
    const x = new Float64Array(n);
    const y = new Float64Array(3);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < height; i++) {
        for (let j = 0; j < width; j++) {
          for (let k = 0; k < c; k++) x[k] = latents[(s * c + k) * plane + i * width + j]!;
          x[c] = 1;
          for (let ch = 0; ch < 3; ch++) {
            let sum = 0;
            const base = (s * 3 + ch) * imageHeight * imageWidth;
            for (let di = 0; di < fy; di++) for (let dj = 0; dj < fx; dj++) sum += images.data[base + (i * fy + di) * imageWidth + j * fx + dj]!;
            y[ch] = sum / (fy * fx);
          }
          for (let r = 0; r < n; r++) {
            for (let q = 0; q < n; q++) a[r * n + q] += x[r]! * x[q]!;
            for (let ch = 0; ch < 3; ch++) b[r * 3 + ch] += x[r]! * y[ch]!;
          }
        }
      }
    }
    const solution = solveSPD(a, b, n, { nrhs: 3 });
    const row = (r: number): number[] => [solution[r * 3]!, solution[r * 3 + 1]!, solution[r * 3 + 2]!];
    return new LinearLatentPreview(Array.from({ length: c }, (_, k) => row(k)), row(c));
  }

  preview(latents: Float32Array, channels: number, height: number, width: number): RgbImage {
    if (channels !== this.weights.length) {
      throw new EncoderInputError(`LinearLatentPreview.preview: the map takes ${this.weights.length} latent channels, got ${channels}.`);
    }
    const plane = height * width;
    if (!Number.isSafeInteger(plane) || plane <= 0 || latents.length !== channels * plane) {
      throw new EncoderInputError(`LinearLatentPreview.preview: ${latents.length} latents do not make ${channels} × ${height} × ${width}; pass one image's latents.`);
    }
    const data = new Uint8Array(plane * 3);
    for (let ch = 0; ch < 3; ch++) {
      for (let p = 0; p < plane; p++) {
        let v = this.bias[ch]!;
        for (let k = 0; k < channels; k++) v += latents[k * plane + p]! * this.weights[k]![ch]!;
        const unit = (v + 1) / 2;
        data[p * 3 + ch] = unit >= 1 ? 255 : unit > 0 ? Math.round(unit * 255) : 0;
      }
    }
    return { width, height, data };
  }
}
