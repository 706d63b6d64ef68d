import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { CovarianceAccumulator, EmptyCovarianceError, KeyLockArgumentError, KeyLockDimensionError } from '@perfusion/key-lock';
import { maxAbsDiff } from './helpers.js';

/** (1/n) Σ e eᵀ by the definition, one entry at a time. */
function direct(rows: Float64Array, d: number): Float64Array {
  const n = rows.length / d;
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += rows[r * d + i]! * rows[r * d + j]!;
      c[i * d + j] = s / n;
    }
  }
  return c;
}

describe('CovarianceAccumulator', () => {
  it('gives C = (1/n) Σ e eᵀ for known vectors', () => {
    const acc = new CovarianceAccumulator(2);
    acc.add([1, 2]).add([3, -1]).add(Float32Array.from([0, 4]));
    const { matrix, count, mean, dim } = acc.finalize();
    // Σ e eᵀ = [[1+9+0, 2-3+0], [2-3+0, 4+1+16]] = [[10, -1], [-1, 21]]
    expect(count).toBe(3);
    expect(dim).toBe(2);
    expect(maxAbsDiff(matrix, [10 / 3, -1 / 3, -1 / 3, 7])).toBeLessThan(1e-15);
    expect(maxAbsDiff(mean, [4 / 3, 5 / 3])).toBeLessThan(1e-15);
  });

  it('matches the direct computation for random rows, whatever the block size', () => {
    const d = 7;
    const rows = new Rng(3).fillNormal(new Float64Array(301 * d)).map((v, i) => v + (i % d) * 0.5);
    const reference = direct(rows, d);
    for (const blockRows of [1, 2, 5, 64, 128, 1000]) {
      const { matrix, count } = new CovarianceAccumulator(d, { blockRows }).addRows(rows).finalize();
      expect(count).toBe(301);
      expect(maxAbsDiff(matrix, reference), `blockRows ${blockRows}`).toBeLessThan(1e-13);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(matrix[i * d + j]).toBe(matrix[j * d + i]);
    }
  });

  it('merges partial accumulators into the single-pass result', () => {
    const d = 5;
    const rows = new Rng(11).fillNormal(new Float64Array(1000 * d)).map((v) => v * 2 + 3);
    const single = new CovarianceAccumulator(d, { blockRows: 16 }).addRows(rows).finalize();
    // Uneven chunks, one of them empty, merged in a tree.
    const cuts = [0, 7, 7, 333, 600, 1000];
    const parts = cuts.slice(1).map((end, k) => new CovarianceAccumulator(d, { blockRows: 16 }).addRows(rows.subarray(cuts[k]! * d, end * d)));
    const left = parts[0]!.merge(parts[1]!).merge(parts[2]!);
    const right = parts[3]!.merge(parts[4]!);
    const merged = left.merge(right).finalize();
    expect(merged.count).toBe(1000);
    expect(maxAbsDiff(merged.matrix, single.matrix)).toBeLessThan(1e-12);
    expect(maxAbsDiff(merged.mean, single.mean)).toBeLessThan(1e-13);
    // Merging into an empty accumulator copies; the source keeps its rows.
    const copy = new CovarianceAccumulator(d).merge(right);
    expect(copy.count).toBe(right.count);
    expect(right.count).toBe(667);
  });

  it('stays accurate with a large common offset (vs exact rational arithmetic)', () => {
    // Rows are integers / 1024 around an offset of 10⁴…2.5·10⁴ with unit noise, so Σ e eᵀ is exactly
    // computable with BigInt. A plain float64 Σ e eᵀ is off by ~1e-13 relative here; the centred
    // (Chan) accumulation must stay within a few ulps.
    const d = 3;
    const n = 50_000;
    const rng = new Rng(7);
    const offsets = [1e4, -2.5e4, 7e3].map((v) => v * 1024);
    const ints: bigint[] = [];
    const rows = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const k = offsets[j]! + Math.round(rng.normal() * 1024);
        ints.push(BigInt(k));
        rows[r * d + j] = k / 1024;
      }
    }
    const { matrix, mean } = new CovarianceAccumulator(d).addRows(rows).finalize();
    let worst = 0;
    for (let i = 0; i < d; i++) {
      let sum = 0n;
      for (let r = 0; r < n; r++) sum += ints[r * d + i]!;
      const exactMean = Number(sum) / (n * 1024);
      expect(Math.abs(mean[i]! - exactMean) / Math.abs(exactMean)).toBeLessThan(4e-15);
      for (let j = 0; j < d; j++) {
        let s = 0n;
        for (let r = 0; r < n; r++) s += ints[r * d + i]! * ints[r * d + j]!;
        const exact = Number(s) / (n * 2 ** 20);
        worst = Math.max(worst, Math.abs(matrix[i * d + j]! - exact) / Math.abs(exact));
      }
    }
    expect(worst).toBeLessThan(4e-15);
  });

  it('adds only the first tokenCounts[b] rows of each prompt', () => {
    const d = 3;
    const T = 4;
    const encodings = new Rng(5).fillNormal(new Float32Array(2 * T * d));
    const acc = new CovarianceAccumulator(d).addSequences(encodings, T, [2, 3]);
    const chosen = [0, 1, 4, 5, 6].flatMap((t) => Array.from(encodings.subarray(t * d, t * d + d)));
    expect(acc.count).toBe(5);
    expect(maxAbsDiff(acc.finalize().matrix, direct(Float64Array.from(chosen), d))).toBeLessThan(1e-15);
  });

  it('can be finalized, extended and finalized again', () => {
    const acc = new CovarianceAccumulator(2).add([1, 0]);
    expect(acc.finalize().matrix[0]).toBe(1);
    acc.add([3, 0]);
    expect(acc.finalize().matrix[0]).toBe(5);
    expect(acc.count).toBe(2);
  });

  it('refuses wrong widths, non-finite values and an empty finalize with typed errors', () => {
    const acc = new CovarianceAccumulator(4);
    expect(() => acc.add([1, 2, 3])).toThrow(KeyLockDimensionError);
    expect(() => acc.add([1, 2, 3])).toThrow('expected numbers = 4 but got 3');
    expect(() => acc.addRows(new Float32Array(10))).toThrow(/expected d = 4 but got 10/);
    expect(() => acc.addSequences(new Float32Array(2 * 3 * 4), 3, [1])).toThrow(KeyLockDimensionError);
    expect(() => acc.addSequences(new Float32Array(3 * 4), 3, [4])).toThrow(/tokenCounts\[0\].*first EOS/);
    expect(() => acc.add([1, Number.NaN, 0, 0])).toThrow(KeyLockArgumentError);
    expect(() => acc.add([1, Number.NaN, 0, 0])).toThrow(/entry 1 of encoding 0 .* NaN/);
    expect(() => acc.finalize()).toThrow(EmptyCovarianceError);
    expect(() => acc.merge(new CovarianceAccumulator(3))).toThrow(/expected d = 4 but got 3/);
    expect(() => new CovarianceAccumulator(0)).toThrow(KeyLockArgumentError);
  });
});
