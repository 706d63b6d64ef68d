import { describe, expect, it } from 'vitest';
import {
  DimensionMismatchError,
  InvalidArgumentError,
  NotPositiveDefiniteError,
  Rng,
  SpdSolver,
  cholesky,
  matmul,
  solveLowerTransposed,
  solveLowerTriangular,
  solveSPD,
  solveUpperTriangular,
} from '../src/index.js';

const f64 = (...values: number[]) => Float64Array.from(values);

// A = L·Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]]: the worked example of the Wikipedia article
// "Cholesky decomposition"; multiplying L by Lᵀ by hand gives A.
const A = f64(4, 12, -16, 12, 37, -43, -16, -43, 98);
const L = f64(2, 0, 0, 6, 1, 0, -8, 5, 3);
// With x = [1, -2, 3]: A·x = [4-24-48, 12-74-129, -16+86+294] = [-68, -191, 364] (by hand).
const X = f64(1, -2, 3);
const B = f64(-68, -191, 364);

function expectClose(actual: Float64Array, expected: Float64Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

function randomSpd(rng: Rng, n: number, shift: number): Float64Array {
  const g = rng.fillNormal(new Float64Array(n * n));
  const gt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gt[j * n + i] = g[i * n + j]!;
  const a = matmul(g, gt, n, n, n);
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  return a;
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
}

describe('matmul', () => {
  it('multiplies a hand-checked 2×3 by 3×2 product', () => {
    // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    expect(Array.from(matmul(f64(1, 2, 3, 4, 5, 6), f64(7, 8, 9, 10, 11, 12), 2, 3, 2))).toEqual([58, 64, 139, 154]);
  });

  it('reproduces A from the Cholesky example and overwrites a given output', () => {
    const lt = f64(2, 6, -8, 0, 1, 5, 0, 0, 3);
    const out = new Float64Array(9).fill(123);
    expect(matmul(L, lt, 3, 3, 3, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(A));
  });

  it('checks array lengths against the dimensions', () => {
    expect(() => matmul(f64(1, 2, 3), f64(1, 2), 1, 3, 1)).toThrow(DimensionMismatchError);
    expect(() => matmul(f64(1, 2, 3), f64(1, 2, 3), 1, 3, 1, new Float64Array(2))).toThrow(/out/);
    expect(() => matmul(f64(), f64(), -1, 0, 0)).toThrow(InvalidArgumentError);
  });
});

describe('cholesky', () => {
  it('factors the worked example exactly', () => {
    expect(Array.from(cholesky(A, 3))).toEqual(Array.from(L));
  });

  it('reads only the lower triangle', () => {
    const lowerOnly = f64(4, 999, 999, 12, 37, 999, -16, -43, 98);
    expect(Array.from(cholesky(lowerOnly, 3))).toEqual(Array.from(L));
  });

  it('names the failing pivot of an indefinite matrix', () => {
    // [[1,2],[2,1]] has eigenvalues 3 and -1; the second pivot is 1 - 2² = -3.
    const attempt = () => cholesky(f64(1, 2, 2, 1), 2);
    expect(attempt).toThrow(NotPositiveDefiniteError);
    expect(attempt).toThrow(/pivot 1 \(of 2\) is -3/);
    try {
      attempt();
    } catch (error) {
      expect((error as NotPositiveDefiniteError).pivotIndex).toBe(1);
      expect((error as NotPositiveDefiniteError).pivotValue).toBe(-3);
    }
  });

  it('fails at the first pivot of a zero matrix and on non-finite entries', () => {
    expect(() => cholesky(new Float64Array(4), 2)).toThrow(/pivot 0/);
    expect(() => cholesky(f64(1, 0, NaN, 1), 2)).toThrow(/pivot 1 \(of 2\) is NaN/);
    expect(() => cholesky(f64(Infinity), 1)).toThrow(NotPositiveDefiniteError);
  });

  it('fails on a singular positive semidefinite matrix', () => {
    expect(() => cholesky(f64(1, 1, 1, 1), 2)).toThrow(/pivot 1 \(of 2\) is 0/);
  });
});

describe('triangular solves', () => {
  it('solve L·y = b, Lᵀ·x = y and U·x = y on the worked example', () => {
    // L·y = A·x with y = Lᵀ·x = [2-12-24, -2+15, 9] = [-34, 13, 9] (by hand).
    const y = solveLowerTriangular(L, B, 3);
    expectClose(y, f64(-34, 13, 9), 1e-12);
    expectClose(solveLowerTransposed(L, y, 3), X, 1e-12);
    const lt = f64(2, 6, -8, 0, 1, 5, 0, 0, 3);
    expectClose(solveUpperTriangular(lt, y, 3), X, 1e-12);
  });

  it('do not modify the right-hand side', () => {
    const b = B.slice();
    solveLowerTriangular(L, b, 3);
    expect(b).toEqual(B);
  });

  it('reject a zero on the diagonal', () => {
    expect(() => solveLowerTriangular(f64(1, 0, 1, 0), f64(1, 1), 2)).toThrow(/diagonal entry 1 is 0/);
  });
});

describe('solveSPD', () => {
  it('solves the hand-computable 3×3 system', () => {
    expectClose(solveSPD(A, B, 3), X, 1e-12);
  });

  it('solves several right-hand sides given as columns of B', () => {
    // Columns: b1 = A·[1,-2,3] and b2 = A·[0,1,0] = A's second column [12, 37, -43].
    const b = f64(-68, 12, -191, 37, 364, -43);
    expectClose(solveSPD(A, b, 3), f64(1, 0, -2, 1, 3, 0), 1e-12);
    expectClose(solveSPD(A, b, 3, { nrhs: 2 }), f64(1, 0, -2, 1, 3, 0), 1e-12);
  });

  it('solves a random 64×64 SPD system to a small residual', () => {
    const n = 64;
    const rng = new Rng(64);
    const a = randomSpd(rng, n, 1);
    const expected = rng.fillNormal(new Float64Array(n));
    const b = matmul(a, expected, n, n, 1);
    const x = solveSPD(a, b, n);
    const residual = matmul(a, x, n, n, 1).map((v, i) => v - b[i]!);
    expect(norm(residual) / norm(b)).toBeLessThan(1e-12);
    expect(norm(x.map((v, i) => v - expected[i]!)) / norm(expected)).toBeLessThan(1e-8);
  });

  it('rejects right-hand sides that do not fit n', () => {
    expect(() => solveSPD(A, f64(1, 2), 3)).toThrow(/not a multiple of n = 3/);
    expect(() => solveSPD(A, f64(1, 2, 3), 3, { nrhs: 2 })).toThrow(DimensionMismatchError);
    expect(() => solveSPD(f64(1, 2, 3), B, 3)).toThrow(DimensionMismatchError);
  });
});

describe('ridge', () => {
  // [[1,1],[1,1]] is singular; adding λ = 1 gives [[2,1],[1,2]], and [[2,1],[1,2]]·[1,1] = [3,3].
  const singular = f64(1, 1, 1, 1);

  it('an absolute ridge makes a singular matrix solvable', () => {
    expect(() => solveSPD(singular, f64(3, 3), 2)).toThrow(NotPositiveDefiniteError);
    expectClose(solveSPD(singular, f64(3, 3), 2, { ridge: 1 }), f64(1, 1), 1e-14);
  });

  it('a relative ridge is a fraction of the mean diagonal, so it follows the scale of A', () => {
    expectClose(solveSPD(singular, f64(3, 3), 2, { relativeRidge: 1 }), f64(1, 1), 1e-14);
    const scaled = singular.map((v) => v * 1000);
    // (1000·A + 1000·I)·x = 1000·[3,3] has the same solution; an absolute ridge of 1 does not.
    expectClose(solveSPD(scaled, f64(3000, 3000), 2, { relativeRidge: 1 }), f64(1, 1), 1e-12);
    expect(Math.abs(solveSPD(scaled, f64(3000, 3000), 2, { ridge: 1 })[0]! - 1)).toBeGreaterThan(0.4);
  });

  it('adds absolute and relative parts and reports the λ used', () => {
    const a = f64(2, 0, 0, 4); // mean diagonal 3
    expect(new SpdSolver(a, 2, { ridge: 0.5, relativeRidge: 0.1 }).ridge).toBeCloseTo(0.8, 15);
    expect(new SpdSolver(a, 2).ridge).toBe(0);
    // (diag(2,4) + 0.8·I)·x = [2.8, 4.8] has x = [1, 1].
    expectClose(new SpdSolver(a, 2, { ridge: 0.5, relativeRidge: 0.1 }).solve(f64(2.8, 4.8)), f64(1, 1), 1e-14);
  });

  it('never modifies A and rejects negative or non-finite amounts', () => {
    const a = singular.slice();
    new SpdSolver(a, 2, { ridge: 1 });
    expect(a).toEqual(singular);
    expect(() => new SpdSolver(a, 2, { ridge: -1 })).toThrow(/options.ridge/);
    expect(() => new SpdSolver(a, 2, { relativeRidge: NaN })).toThrow(InvalidArgumentError);
  });
});

describe('SpdSolver', () => {
  it('factors once and solves vectors, columns and rows consistently', () => {
    const n = 40;
    const rng = new Rng(40);
    const a = randomSpd(rng, n, 0.5);
    const solver = new SpdSolver(a, n, { relativeRidge: 1e-9 });
    const vectors = [rng.fillNormal(new Float64Array(n)), rng.fillNormal(new Float64Array(n))];
    const single = vectors.map((v) => solver.solve(v));
    const rows = solver.solveRows(Float64Array.from([...vectors[0]!, ...vectors[1]!]));
    const columns = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      columns[i * 2] = vectors[0]![i]!;
      columns[i * 2 + 1] = vectors[1]![i]!;
    }
    const byColumns = solver.solve(columns, 2);
    for (let i = 0; i < n; i++) {
      for (const k of [0, 1]) {
        expect(rows[k * n + i]).toBe(single[k]![i]!);
        expect(byColumns[i * 2 + k]).toBe(single[k]![i]!);
      }
    }
    const backProjected = matmul(a, single[0]!, n, n, 1);
    expect(norm(backProjected.map((v, i) => v + solver.ridge * single[0]![i]! - vectors[0]![i]!))).toBeLessThan(1e-9);
  });

  it('checks the shapes of what it solves', () => {
    const solver = new SpdSolver(A, 3);
    expect(() => solver.solve(f64(1, 2))).toThrow(DimensionMismatchError);
    expect(() => solver.solveRows(f64(1, 2, 3, 4))).toThrow(/do not split into rows of length 3/);
  });
});
