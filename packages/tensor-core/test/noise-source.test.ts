import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  InvalidSeedError,
  NOISE_MODES,
  NumpyRandomState,
  Rng,
  TorchGenerator,
  UnknownNoiseModeError,
  createNoiseSource,
  type NoiseMode,
} from '../src/index.js';
import { float32Bits } from './float32-bits.js';

// The SD-1.x latent-sized goldens of torch and NumPy (see test/golden/*.py) checked through the
// mode switch, plus the switch's own contract: each mode continues its stream across calls and
// bad modes and seeds fail with typed errors.

const torchGolden = JSON.parse(readFileSync(new URL('./golden/torch-randn.json', import.meta.url), 'utf8')) as {
  randn: Array<{ seed: string; size: number; first?: number[] }>;
};
const numpyGolden = JSON.parse(readFileSync(new URL('./golden/numpy-randn.json', import.meta.url), 'utf8')) as {
  randn: Array<{ seed: number; size: number; float32First?: number[] }>;
};

describe('createNoiseSource', () => {
  it("'torch' gives torch.randn's latents", () => {
    const expected = torchGolden.randn.find((e) => e.seed === '42' && e.size === 16384)!;
    const latents = createNoiseSource('torch', 42).fillNormal(new Float32Array(16384));
    expect(float32Bits(latents.subarray(0, 16))).toEqual(float32Bits(expected.first!));
  });

  it("'numpy' gives RandomState.randn's latents as float32", () => {
    const expected = numpyGolden.randn.find((e) => e.seed === 42 && e.size === 16384)!;
    const latents = createNoiseSource('numpy', 42).fillNormal(new Float32Array(16384));
    expect(float32Bits(latents.subarray(0, 16))).toEqual(float32Bits(expected.float32First!));
  });

  it("'default' is the project's Rng", () => {
    const expected = new Rng(42).fillNormal(new Float32Array(10));
    expect(float32Bits(createNoiseSource('default', 42).fillNormal(new Float32Array(10)))).toEqual(float32Bits(expected));
  });

  it('continues each stream across calls', () => {
    const references: Record<NoiseMode, () => (out: Float32Array) => Float32Array> = {
      default: () => {
        const rng = new Rng(7);
        return (out) => rng.fillNormal(out);
      },
      torch: () => {
        const generator = new TorchGenerator(7);
        return (out) => generator.fillNormal(out);
      },
      numpy: () => {
        const state = new NumpyRandomState(7);
        return (out) => state.fillNormal(out);
      },
    };
    for (const mode of NOISE_MODES) {
      const source = createNoiseSource(mode, 7);
      const reference = references[mode]();
      for (const size of [5, 20, 3]) {
        expect(float32Bits(source.fillNormal(new Float32Array(size))), `${mode}, ${size}`).toEqual(float32Bits(reference(new Float32Array(size))));
      }
    }
  });

  it('rejects an unknown mode, listing the known ones', () => {
    expect(() => createNoiseSource('jax' as NoiseMode, 0)).toThrow(UnknownNoiseModeError);
    expect(() => createNoiseSource('jax' as NoiseMode, 0)).toThrow(/'default', 'torch', 'numpy'/);
  });

  it('rejects seeds outside each mode\'s range', () => {
    expect(() => createNoiseSource('numpy', 2 ** 32)).toThrow(InvalidSeedError);
    expect(() => createNoiseSource('numpy', -1)).toThrow(InvalidSeedError);
    expect(() => createNoiseSource('torch', 2n ** 64n)).toThrow(InvalidSeedError);
    expect(() => createNoiseSource('default', 0.5)).toThrow(InvalidSeedError);
    expect(createNoiseSource('torch', -1)).toBeInstanceOf(TorchGenerator);
  });
});
