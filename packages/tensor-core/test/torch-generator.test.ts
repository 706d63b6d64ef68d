import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidSeedError, TorchGenerator } from '../src/index.js';
import { float32Bits, sumInOrder } from './float32-bits.js';

/*
 * Golden values from Debian's python3-torch 1.13.1 on x86-64 (CPU capability AVX2), written by
 * test/golden/torch_randn.py (its header in the JSON records the command, versions and date).
 * Every comparison is bit for bit on float32 values; sums of large tensors are compared exactly
 * too, since both sides add the same float32 values in the same order in float64.
 */

interface Summary {
  count: number;
  values?: number[];
  first?: number[];
  last?: number[];
  sum?: number;
}

interface TorchGolden {
  randn: Array<Summary & { seed: string; size: number }>;
  sequences: Array<{ seed: string; sizes: number[]; calls: Summary[] }>;
  rand: { seed: string; sizes: number[]; calls: number[][] };
  initialSeeds: Array<{ seed: string; initialSeed: string }>;
  defaultGenerator: { initialSeed: string; randn3: number[] };
}

const golden = JSON.parse(readFileSync(new URL('./golden/torch-randn.json', import.meta.url), 'utf8')) as TorchGolden;

function expectMatches(actual: Float32Array, expected: Summary): void {
  expect(actual.length).toBe(expected.count);
  if (expected.values) {
    expect(float32Bits(actual)).toEqual(float32Bits(expected.values));
    return;
  }
  expect(float32Bits(actual.subarray(0, 16))).toEqual(float32Bits(expected.first!));
  expect(float32Bits(actual.subarray(actual.length - 16))).toEqual(float32Bits(expected.last!));
  expect(sumInOrder(actual)).toBe(expected.sum);
}

describe('TorchGenerator.randn', () => {
  // Sizes below 16 take torch's double-precision path, 16 and above its float32 block path, and
  // sizes that are not multiples of 16 its recomputed tail.
  for (const entry of golden.randn) {
    it(`matches torch.randn(${entry.size}) for seed ${entry.seed}`, () => {
      expectMatches(new TorchGenerator(BigInt(entry.seed)).randn(entry.size), entry);
    });
  }

  it('fills a caller-provided array like randn of its length', () => {
    const entry = golden.randn.find((e) => e.seed === '42' && e.size === 17)!;
    const out = new Float32Array(17);
    expect(new TorchGenerator(42).fillNormal(out)).toBe(out);
    expectMatches(out, entry);
  });
});

describe('TorchGenerator stream continuation', () => {
  for (const sequence of golden.sequences) {
    it(`matches consecutive randn(${sequence.sizes.join('), randn(')}) on one generator seeded ${sequence.seed}`, () => {
      const generator = new TorchGenerator(BigInt(sequence.seed));
      sequence.sizes.forEach((size, call) => expectMatches(generator.randn(size), sequence.calls[call]!));
    });
  }

  it('drops the cached normal when reseeded, like manual_seed', () => {
    const generator = new TorchGenerator(99);
    generator.randn(1); // leaves r·sin θ cached
    generator.manualSeed(0);
    expectMatches(generator.randn(3), golden.randn.find((e) => e.seed === '0' && e.size === 3)!);
  });
});

describe('TorchGenerator seeds and uniforms', () => {
  it('matches consecutive torch.rand calls', () => {
    const generator = new TorchGenerator(BigInt(golden.rand.seed));
    golden.rand.sizes.forEach((size, call) => {
      expect(float32Bits(generator.fillUniform(new Float32Array(size)))).toEqual(float32Bits(golden.rand.calls[call]!));
    });
  });

  it('reports initial_seed as torch does, negative seeds in two\'s complement', () => {
    for (const { seed, initialSeed } of golden.initialSeeds) {
      expect(new TorchGenerator(BigInt(seed)).initialSeed()).toBe(BigInt(initialSeed));
    }
  });

  it('starts like torch.Generator() when given no seed', () => {
    const generator = new TorchGenerator();
    expect(generator.initialSeed()).toBe(BigInt(golden.defaultGenerator.initialSeed));
    expect(float32Bits(generator.randn(3))).toEqual(float32Bits(golden.defaultGenerator.randn3));
  });

  it('rejects seeds torch rejects and invalid counts', () => {
    // torch raises "Overflow when unpacking long" outside [-2^63, 2^64) and refuses floats.
    expect(() => new TorchGenerator(2n ** 64n)).toThrow(InvalidSeedError);
    expect(() => new TorchGenerator(-(2n ** 63n) - 1n)).toThrow(InvalidSeedError);
    expect(() => new TorchGenerator(1.5)).toThrow(InvalidSeedError);
    expect(() => new TorchGenerator(0).manualSeed(Number.MAX_SAFE_INTEGER + 1)).toThrow(InvalidSeedError);
    expect(() => new TorchGenerator(0).randn(-1)).toThrow(InvalidArgumentError);
  });
});
