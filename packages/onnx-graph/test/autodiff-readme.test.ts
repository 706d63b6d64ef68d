import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../src/index.js';
import { linearRegressionStep } from './autodiff-readme-example.js';
import { rng } from './autodiff-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('the README autodiff example', () => {
  it('is the code of test/autodiff-readme-example.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(here, 'autodiff-readme-example.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it("computes the loss and the closed-form least-squares gradients (2/N·Xᵀ·E, 2/N·Σ E)", async () => {
    const [n, fin, fout] = [5, 3, 2];
    const random = rng(5);
    const fill = (count: number) => Float32Array.from({ length: count }, () => 2 * random() - 1);
    const [x, t, w, bias] = [fill(n * fin), fill(n * fout), fill(fin * fout), fill(fout)];
    const session = await ort.InferenceSession.create(encodeModel(linearRegressionStep(fin, fout)));
    try {
      const out = await session.run({
        x: new ort.Tensor('float32', x, [n, fin]),
        target: new ort.Tensor('float32', t, [n, fout]),
        W: new ort.Tensor('float32', w, [fin, fout]),
        b: new ort.Tensor('float32', bias, [fout]),
      });
      expect(Object.keys(out)).toEqual(['loss', 'grad/W', 'grad/b']);
      // Reference in float64 from the formulas.
      const err: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < fout; j++) {
          let y = bias[j]!;
          for (let k = 0; k < fin; k++) y += x[i * fin + k]! * w[k * fout + j]!;
          err.push(y - t[i * fout + j]!);
        }
      }
      const loss = err.reduce((s, e) => s + e * e, 0) / (n * fout);
      const scale = 2 / (n * fout);
      const gw = Array.from({ length: fin * fout }, (_, idx) => {
        const [k, j] = [Math.floor(idx / fout), idx % fout];
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * fin + k]! * err[i * fout + j]!;
        return scale * s;
      });
      const gb = Array.from({ length: fout }, (_, j) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += err[i * fout + j]!;
        return scale * s;
      });
      expect(out['loss']!.data[0] as number).toBeCloseTo(loss, 5);
      expect(out['grad/W']!.dims).toEqual([fin, fout]);
      expect(out['grad/b']!.dims).toEqual([fout]);
      [...(out['grad/W']!.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(gw[i]!, 5));
      [...(out['grad/b']!.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(gb[i]!, 5));
    } finally {
      await session.release();
    }
  });
});
