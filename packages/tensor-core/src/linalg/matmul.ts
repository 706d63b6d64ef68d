import { checkDimension, checkMatrix } from './check.js';

/**
 * C = A·B for row-major A (m×k) and B (k×n); returns C (m×n), written into `out` when given.
 * The i-p-j loop order streams rows of B and C, so the inner loop is contiguous in memory.
 */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out?: Float64Array): Float64Array {
  checkDimension('matmul', 'm', m);
  checkDimension('matmul', 'k', k);
  checkDimension('matmul', 'n', n);
  checkMatrix('matmul(a)', a, m, k);
  checkMatrix('matmul(b)', b, k, n);
  const c = out ?? new Float64Array(m * n);
  checkMatrix('matmul(out)', c, m, n);
  if (out) c.fill(0);
  for (let i = 0; i < m; i++) {
    const rowA = i * k;
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[rowA + p]!;
      if (aip === 0) continue;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j] += aip * b[rowB + j]!;
    }
  }
  return c;
}
