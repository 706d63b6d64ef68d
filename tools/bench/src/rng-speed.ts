/**
 * Measures how fast the default Rng fills Float32Arrays (run: `npm run bench:rng -w @perfusion/bench -- [millions]`).
 * Not a test: timings depend on the machine.
 */
import { Rng } from '@perfusion/tensor-core';

const millions = Number(process.argv[2] ?? 100);
const total = millions * 1e6;
const chunk = new Float32Array(1 << 22);
const rng = new Rng(1234);

for (const kind of ['fillUniform', 'fillNormal'] as const) {
  const start = performance.now();
  for (let done = 0; done < total; done += chunk.length) {
    const part = done + chunk.length <= total ? chunk : chunk.subarray(0, total - done);
    rng[kind](part);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${kind}: ${millions}e6 floats in ${seconds.toFixed(2)} s (${((seconds / total) * 1e9).toFixed(1)} ns/float)`);
}
