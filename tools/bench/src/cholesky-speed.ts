/**
 * Measures factoring and solving with a covariance-sized SPD matrix
 * (run: `npm run bench:cholesky -w @perfusion/bench -- [n]`, default n = 768). Not a test: timings depend on the machine.
 */
import { Rng, SpdSolver, matmul } from '@perfusion/tensor-core';

const n = Number(process.argv[2] ?? 768);
const rng = new Rng(768);
// An uncentred covariance of 2n random vectors, like the text-encoder covariance C.
const samples = rng.fillNormal(new Float64Array(2 * n * n));
const transposed = new Float64Array(2 * n * n);
for (let r = 0; r < 2 * n; r++) for (let c = 0; c < n; c++) transposed[c * 2 * n + r] = samples[r * n + c]!;
const covariance = matmul(transposed, samples, n, 2 * n, n);

for (let round = 0; round < 3; round++) {
  const start = performance.now();
  const solver = new SpdSolver(covariance, n, { relativeRidge: 1e-6 });
  const factored = performance.now();
  const x = rng.fillNormal(new Float64Array(n));
  for (let i = 0; i < 100; i++) solver.solve(x);
  const solved = performance.now();
  console.log(`n=${n}: factor ${(factored - start).toFixed(1)} ms, 100 solves ${(solved - factored).toFixed(1)} ms`);
}
