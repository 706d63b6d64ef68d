import type { RgbImage } from '../image/rgb-image.js';

/**
 * Turns one image's latents (`channels × height × width`, row-major, as the UNet produces them) into
 * a small RGB picture for progress previews. Must be cheap: it runs at every step.
 */
export interface PreviewDecoder {
  preview(latents: Float32Array, channels: number, height: number, width: number): RgbImage;
}
