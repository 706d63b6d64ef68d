import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidSeedError, Rng, SplitMix64, Xoshiro128StarStar } from '../src/index.js';

function draw(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

describe('Rng stream', () => {
  it('is xoshiro128** started from two SplitMix64 outputs of the seed, low word first', () => {
    const seeder = new SplitMix64(1234567n);
    const first = seeder.next();
    const second = seeder.next();
    const words = [first & 0xffffffffn, first >> 32n, second & 0xffffffffn, second >> 32n].map(Number) as [number, number, number, number];
    const reference = new Xoshiro128StarStar(...words);
    expect(draw(new Rng(1234567), 50)).toEqual(Array.from({ length: 50 }, () => reference.nextUint32()));
  });

  it('repeats exactly for the same seed, whether given as a number or a bigint', () => {
    const a = new Rng(42);
    const b = new Rng(42n);
    expect(draw(a, 1000)).toEqual(draw(b, 1000));
    const normalsA = Array.from({ length: 101 }, () => a.normal());
    const normalsB = Array.from({ length: 101 }, () => b.normal());
    expect(normalsA).toEqual(normalsB);
    expect(a.fillNormal(new Float32Array(999))).toEqual(b.fillNormal(new Float32Array(999)));
    expect(a.fillUniform(new Float32Array(999), -3, 5)).toEqual(b.fillUniform(new Float32Array(999), -3, 5));
  });

  it('differs between seeds, including seeds one apart and 0', () => {
    const streams = [0, 1, 2, -1, 2 ** 53 - 1].map((seed) => draw(new Rng(seed), 8).join(','));
    expect(new Set(streams).size).toBe(streams.length);
  });

  it('maps negative seeds to two’s complement', () => {
    expect(draw(new Rng(-1), 10)).toEqual(draw(new Rng(2n ** 64n - 1n), 10));
    expect(new Rng(-1).key).toBe(2n ** 64n - 1n);
  });

  it('rejects seeds that are not 64-bit integers', () => {
    // One seed check serves Rng, TorchGenerator and createNoiseSource, so all reject alike.
    expect(() => new Rng(1.5)).toThrow(InvalidSeedError);
    expect(() => new Rng(NaN)).toThrow(InvalidSeedError);
    expect(() => new Rng(2 ** 53)).toThrow(/new Rng\(seed\): seed 9007199254740992 is not an integer in \[-2\^63, 2\^64\) \(a number must be a safe integer\)/);
    expect(() => new Rng(2n ** 64n)).toThrow(/is not an integer in \[-2\^63, 2\^64\)/);
    expect(() => new Rng('7' as unknown as number)).toThrow(InvalidSeedError);
  });
});

describe('Rng.fork', () => {
  it('is deterministic and independent of how much the parent has drawn', () => {
    const parent = new Rng(7);
    const early = draw(parent.fork('unet'), 20);
    draw(parent, 12345);
    parent.normal();
    expect(draw(parent.fork('unet'), 20)).toEqual(early);
    expect(draw(new Rng(7).fork('unet'), 20)).toEqual(early);
  });

  it('does not advance the parent', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    a.fork('x');
    a.fork(3);
    expect(draw(a, 10)).toEqual(draw(b, 10));
  });

  it('gives different streams for different labels, label types and parents', () => {
    const root = new Rng(7);
    const labels: Array<string | number> = ['a', 'b', 'ab', 'ab\0', '', 'ü', 0, 1, '1', 1.5, 'a-long-label-that-spans-several-words'];
    const streams = labels.map((label) => draw(root.fork(label), 4).join(','));
    streams.push(draw(new Rng(8).fork('a'), 4).join(','), draw(root, 4).join(','), draw(root.fork('a').fork('a'), 4).join(','));
    expect(new Set(streams).size).toBe(streams.length);
    expect(draw(root.fork(-0), 4)).toEqual(draw(root.fork(0), 4));
  });

  it('rejects labels that are not strings or finite numbers', () => {
    expect(() => new Rng(1).fork(Infinity)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1).fork({} as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('gives streams uncorrelated with the parent and with siblings', () => {
    const n = 200_000;
    const root = new Rng(99);
    const streams = [root, root.fork('left'), root.fork('right')].map((rng) => rng.fillNormal(new Float64Array(n)));
    const pairs: Array<[number, number]> = [[0, 1], [0, 2], [1, 2]];
    for (const [i, j] of pairs) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += streams[i]![k]! * streams[j]![k]!;
      // For independent standard normals the sample correlation has standard error 1/sqrt(n).
      expect(Math.abs(dot / n)).toBeLessThan(5 / Math.sqrt(n));
    }
  });
});

describe('Rng uniforms', () => {
  const n = 1_000_000;

  it('uniform() has 53-bit resolution in [0, 1)', () => {
    const rng = new Rng(3);
    let usesLowBits = false;
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      expect(Number.isInteger(u * 2 ** 53)).toBe(true);
      if (!Number.isInteger(u * 2 ** 32)) usesLowBits = true;
    }
    expect(usesLowBits).toBe(true);
  });

  it('uniform() is the documented combination of two 32-bit outputs', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    for (let i = 0; i < 100; i++) {
      const high = b.nextUint32() >>> 5;
      const low = b.nextUint32() >>> 6;
      expect(a.uniform()).toBe((high * 2 ** 26 + low) / 2 ** 53);
    }
  });

  it('fillUniform into float32 stays in [low, high) with the moments of a uniform distribution', () => {
    const values = new Rng(5).fillUniform(new Float32Array(n));
    let sum = 0;
    let sumSquares = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const mean = sum / n;
    for (const v of values) sumSquares += (v - mean) ** 2;
    const variance = sumSquares / (n - 1);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // U(0,1): mean 1/2, variance 1/12; SE(mean) = sqrt(1/12/n), SE(variance) = sqrt((1/80 - 1/144)/n).
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    expect(min).toBeLessThan(1e-4);
    expect(max).toBeGreaterThan(1 - 1e-4);
  });

  it('fillUniform scales to [low, high) and fills float64 from uniform()', () => {
    const scaled = new Rng(6).fillUniform(new Float32Array(10_000), -2, 6);
    expect(Math.min(...scaled)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...scaled)).toBeLessThan(6);
    const doubles = new Rng(6).fillUniform(new Float64Array(3), 10, 20);
    const reference = new Rng(6);
    expect(Array.from(doubles)).toEqual([0, 1, 2].map(() => 10 + 10 * reference.uniform()));
    expect(() => new Rng(1).fillUniform(new Float32Array(1), 2, 1)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1).fillUniform(new Float32Array(1), 0, Infinity)).toThrow(InvalidArgumentError);
  });
});

describe('Rng normals', () => {
  it('follow the documented polar method over the integer stream', () => {
    const rng = new Rng(2024);
    const bits = new Rng(2024);
    const expected: number[] = [];
    while (expected.length < 1000) {
      const u = (bits.nextUint32() | 0) / 2 ** 31;
      const v = (bits.nextUint32() | 0) / 2 ** 31;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      expected.push(u * f, v * f);
    }
    expect(Array.from({ length: 1000 }, () => rng.normal())).toEqual(expected);
  });

  it('fillNormal continues exactly the sequence of normal(), across odd lengths', () => {
    const a = new Rng(8);
    const b = new Rng(8);
    const viaFill = [...a.fillNormal(new Float64Array(7)), a.normal(), ...a.fillNormal(new Float64Array(4)), ...a.fillNormal(new Float64Array(0)), ...a.fillNormal(new Float64Array(3))];
    const viaCalls = Array.from({ length: 15 }, () => b.normal());
    expect(viaFill).toEqual(viaCalls);
  });

  it('apply mean and standard deviation as mean + std·z', () => {
    const z = new Rng(9).fillNormal(new Float64Array(5));
    const shifted = new Rng(9).fillNormal(new Float64Array(5), 3, 0.5);
    expect(Array.from(shifted)).toEqual(Array.from(z, (v) => 3 + 0.5 * v));
    expect(() => new Rng(1).fillNormal(new Float32Array(1), 0, -1)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1).fillNormal(new Float32Array(1), NaN)).toThrow(InvalidArgumentError);
  });

  it('have the moments of a standard normal over 1e6 samples', () => {
    const n = 1_000_000;
    const z = new Rng(12345).fillNormal(new Float32Array(n));
    let sum = 0;
    for (const v of z) sum += v;
    const mean = sum / n;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    let withinOne = 0;
    for (const v of z) {
      const d = v - mean;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
      if (Math.abs(v) < 1) withinOne++;
    }
    const variance = m2 / (n - 1);
    const skewness = m3 / n / (m2 / n) ** 1.5;
    const excessKurtosis = m4 / n / (m2 / n) ** 2 - 3;
    const pWithinOne = 0.6826894921370859; // erf(1/√2)
    // Standard errors for normal samples: mean 1/√n, variance √(2/n), skewness √(6/n),
    // excess kurtosis √(24/n), a proportion √(p(1-p)/n). Each is allowed 5 of them.
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(skewness)).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(excessKurtosis)).toBeLessThan(5 * Math.sqrt(24 / n));
    expect(Math.abs(withinOne / n - pWithinOne)).toBeLessThan(5 * Math.sqrt((pWithinOne * (1 - pWithinOne)) / n));
    expect(z.every(Number.isFinite)).toBe(true);
  });
});
