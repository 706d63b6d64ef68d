import { positiveNumber, readComponentConfig } from './component-config.js';

/**
 * SD 1.x's latent scaling factor. diffusers' `AutoencoderKL` uses it when a VAE's config.json
 * has no `scaling_factor` (configs written before diffusers 0.13 lack the field), so it is the
 * default here too; SD 2.x's VAE shares it, SDXL's is 0.13025 and its config states so.
 */
export const SD1_SCALING_FACTOR = 0.18215;

/** The config's `scaling_factor`, or {@link SD1_SCALING_FACTOR} when absent, and which one it was. */
export function scalingFactorOf(config: Readonly<Record<string, unknown>>, dir: string): { value: number; source: 'config' | 'default' } {
  const value = positiveNumber(config, 'scaling_factor', dir);
  return value === undefined ? { value: SD1_SCALING_FACTOR, source: 'default' } : { value, source: 'config' };
}

/**
 * The scaling factor of the VAE component in `dir` (its config.json's, else {@link SD1_SCALING_FACTOR}),
 * read as {@link VaeDecoder} and {@link VaeEncoder} read it, for code that turns the UNet's latents into
 * the VAE's without opening a session.
 */
export async function readScalingFactor(dir: string): Promise<{ value: number; source: 'config' | 'default' }> {
  return scalingFactorOf(await readComponentConfig(dir), dir);
}
