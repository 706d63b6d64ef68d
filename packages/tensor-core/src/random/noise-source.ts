import { NumpyRandomState } from './numpy-random-state.js';
import { UnknownNoiseModeError } from './noise-errors.js';
import { Rng } from './rng.js';
import { uint32Seed, uint64Seed } from './seed-ranges.js';
import { TorchGenerator } from './torch-generator.js';

/**
 * Where standard-normal noise comes from:
 * - `'default'` — this project's {@link Rng} (xoshiro128**, the same on every platform);
 * - `'torch'` — torch's CPU generator, as `torch.randn(shape, generator=torch.Generator().manual_seed(seed))`
 *   (diffusers' PyTorch pipelines on CPU); see {@link TorchGenerator};
 * - `'numpy'` — NumPy's legacy `np.random.RandomState(seed).randn(*shape).astype(np.float32)`
 *   (diffusers' ONNX pipelines); see {@link NumpyRandomState}.
 */
export type NoiseMode = 'default' | 'torch' | 'numpy';

/** Every {@link NoiseMode}, in the order error messages list them. */
export const NOISE_MODES: readonly NoiseMode[] = ['default', 'torch', 'numpy'];

/** A seeded stream of standard normals. */
export interface NoiseSource {
  /**
   * Fills `out` with the next `out.length` standard normals of the stream and returns it. Each call
   * continues where the previous one stopped; for `'torch'` one call is one `torch.randn` of that
   * many elements (torch's results depend on how draws are split into calls, so split them as the
   * code being matched does).
   */
  fillNormal(out: Float32Array): Float32Array;
}

/**
 * A noise source of the given mode started at `seed`. Seeds: `'default'` and `'torch'` take an
 * integer in [-2^63, 2^64) (numbers must be safe integers); `'numpy'` takes an integer in [0, 2^32).
 * Throws {@link UnknownNoiseModeError} for another mode and {@link InvalidSeedError} for another seed.
 */
export function createNoiseSource(mode: NoiseMode, seed: number | bigint): NoiseSource {
  const where = `createNoiseSource('${String(mode)}', seed)`;
  switch (mode) {
    case 'default': {
      const rng = new Rng(uint64Seed(seed, where));
      return { fillNormal: (out) => rng.fillNormal(out) };
    }
    case 'torch':
      return new TorchGenerator(uint64Seed(seed, where));
    case 'numpy':
      return new NumpyRandomState(uint32Seed(seed, where));
    default:
      // Reached only from untyped callers (configuration files, JavaScript).
      throw new UnknownNoiseModeError(String(mode satisfies never), NOISE_MODES);
  }
}
