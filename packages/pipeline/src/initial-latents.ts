import type { NoiseSource } from '@perfusion/tensor-core';

/**
 * diffusers' `prepare_latents`: one draw of `size` standard normals from the noise source (one
 * `torch.randn(shape)` / `RandomState.randn(*shape)` of the whole [batch, channels, h, w] tensor),
 * times the scheduler's `init_noise_sigma` in float32 (as torch and NumPy multiply a float32
 * tensor by a Python/NumPy scalar).
 */
export function initialLatents(noise: NoiseSource, size: number, initNoiseSigma: number): Float32Array<ArrayBuffer> {
  const latents = new Float32Array(size);
  noise.fillNormal(latents);
  const sigma = Math.fround(initNoiseSigma);
  if (sigma !== 1) for (let i = 0; i < size; i++) latents[i] *= sigma;
  return latents;
}
