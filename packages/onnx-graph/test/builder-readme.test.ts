import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import { encodeModel } from '../src/index.js';
import { buildMlp } from './builder-readme-example.js';
import { expectClose, seeded } from './builder-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('the README graph-builder example', () => {
  it('is the code of test/builder-readme-example.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(here, 'builder-readme-example.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it.each(['float32', 'float16'] as const)('builds a %s MLP that ORT runs as a plain-JS MLP computes', async (dtype) => {
    const width = 4;
    const [fc1, fc2, x] = [seeded(16, 1), seeded(16, 2), seeded(8, 3)].map((v) => Float32Array.from(v));
    const model = buildMlp(dtype, width, fc1!, fc2!);
    const names = model.graph!.node.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['/fc1/MatMul', '/act/Erf', '/fc2/MatMul']));
    const session = await ort.InferenceSession.create(encodeModel(model));
    const input = dtype === 'float16' ? new ort.Tensor('float16', toFloat16Array(x!), [2, width]) : new ort.Tensor('float32', x!, [2, width]);
    const { y } = await session.run({ x: input });
    const actual = dtype === 'float16' ? toFloat32Array(y!.data as Uint16Array) : (y!.data as Float32Array);
    // Reference: row · W1 → exact GELU (x·Φ(x), Φ from erf via the Abramowitz–Stegun 7.1.26 fit, |error| < 1.5e-7) → · W2.
    const erf = (v: number) => {
      const t = 1 / (1 + 0.3275911 * Math.abs(v));
      const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
      return Math.sign(v) * (1 - poly * Math.exp(-v * v));
    };
    const times = (row: number[], w: Float32Array) => Array.from({ length: width }, (_, j) => row.reduce((s, v, k) => s + v * w[k * width + j]!, 0));
    const expected = [0, 1].flatMap((r) => {
      const h = times(Array.from(x!.subarray(r * width, (r + 1) * width)), fc1!).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      return times(h, fc2!);
    });
    expectClose(actual, expected, dtype === 'float16' ? 1e-2 : 1e-5);
    await session.release();
  });
});
