import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import {
  addGraphOutput,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  buildGradientGraph,
  copyGraph,
  gradientOutputName,
  NodeProtoSchema,
  readModelSync,
  ValueInfoProtoSchema,
  writeModelSync,
  type ModelProto,
} from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { layerRowInputs, patchUnetForPerfusion } from '../src/index.js';
import { tempDir, tinyUnet } from './helpers/surgery-models.js';

// The whole tiny UNet (Conv, Resize, GroupNorm, attention, ...) differentiated w.r.t. one layer's
// value rows input, the quantity Perfusion trains: loss = mean((out − target)²), checked against
// central differences of the forward model along random directions (float32: onnxruntime's CPU Conv
// has no float64 kernel).
describe('autodiff through the tiny UNet', () => {
  it('gradient of the loss w.r.t. a layer’s V rows matches directional finite differences', async () => {
    const patched = await patchUnetForPerfusion(await tinyUnet('float32'));
    const source = readModelSync(patched.modelPath);
    const graph = source.graph!;
    const out = graph.output[0]!.name;
    const nodes = [
      create(NodeProtoSchema, { name: '/loss/Sub', opType: 'Sub', input: [out, 'target'], output: ['loss_diff'] }),
      create(NodeProtoSchema, { name: '/loss/Mul', opType: 'Mul', input: ['loss_diff', 'loss_diff'], output: ['loss_sq'] }),
      create(NodeProtoSchema, {
        name: '/loss/ReduceMean',
        opType: 'ReduceMean',
        input: ['loss_sq'],
        output: ['loss'],
        attribute: [create(AttributeProtoSchema, { name: 'keepdims', type: AttributeProto_AttributeType.INT, i: 0n })],
      }),
    ];
    const target = create(ValueInfoProtoSchema, { ...graph.output[0]!, name: 'target' });
    const forward: ModelProto = { ...source, graph: addGraphOutput(copyGraph(graph, { node: [...graph.node, ...nodes], input: [...graph.input, target] }), 'loss', 'float32', []) };
    // The first layer (down_blocks.0): its gradient runs back through every later block.
    const layer = patched.layers[0]!;
    const wrt = layerRowInputs(layer.key).v;
    const backward = buildGradientGraph(forward, { loss: 'loss', wrt: [wrt] });
    // The path back to down_blocks.0 crosses the up block's Resize and many Convs.
    const backwardOps = new Set(backward.graph!.node.map((n) => n.opType));
    expect(graph.node.some((n) => n.opType === 'Resize')).toBe(true);
    expect(backwardOps.has('ConvTranspose')).toBe(true);

    const dir = tempDir('autodiff');
    const from = path.dirname(patched.modelPath);
    writeModelSync(forward, path.join(dir, 'forward.onnx'), { externalDataFrom: from, allowCopy: true });
    writeModelSync(backward, path.join(dir, 'backward.onnx'), { externalDataFrom: from, allowCopy: true });

    // Feeds: batch 2, M = 1 concept (2M = 2 row columns), coefficients dense so every token uses the rows.
    const rng = new Rng(3);
    const normal = (n: number, scale = 1) => rng.fillNormal(new Float32Array(n)).map((v) => v * scale);
    const base: Record<string, ort.Tensor> = {
      sample: new ort.Tensor('float32', normal(2 * 4 * 8 * 8), [2, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.from([500n, 500n]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', normal(2 * 77 * 32), [2, 77, 32]),
      perfusion_coeffs: new ort.Tensor('float32', normal(2 * 77 * 2, 0.5), [2, 77, 2]),
      target: new ort.Tensor('float32', normal(2 * 4 * 8 * 8), [2, 4, 8, 8]),
    };
    for (const l of patched.layers) {
      const names = layerRowInputs(l.key);
      base[names.k] = new ort.Tensor('float32', normal(2 * l.width), [1, 2, l.width]);
      base[names.v] = new ort.Tensor('float32', normal(2 * l.width), [1, 2, l.width]);
    }
    const v0 = base[wrt]!.data as Float32Array;
    const opts = { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' } as const;
    const fwd = await ort.InferenceSession.create(path.join(dir, 'forward.onnx'), opts);
    const bwd = await ort.InferenceSession.create(path.join(dir, 'backward.onnx'), opts);
    try {
      const result = await bwd.run(base);
      const grad = result[gradientOutputName(wrt)]!;
      expect(grad.dims).toEqual([1, 2, layer.width]);
      const lossAt = async (v: Float32Array) => Number((await fwd.run({ ...base, [wrt]: new ort.Tensor('float32', v, [1, 2, layer.width]) }, ['loss']))['loss']!.data[0]);
      expect(Number(result['loss']!.data[0])).toBeCloseTo(await lossAt(v0), 5);
      const g = grad.data as Float32Array;
      const gNorm = Math.hypot(...g);
      expect(gNorm).toBeGreaterThan(1e-6);
      // Directional derivatives along 4 random unit directions d: ⟨g, d⟩ against
      // (L(v + h·d) − L(v − h·d)) / 2h, the error measured relative to |g| (which bounds ⟨g, d⟩).
      // h = 0.1: the float32 loss (≈ 1) carries ~1e-6 of rounding, i.e. ≤ ~5e-6 / 0.2 h in the
      // quotient (~2.5e-4 of |g| ≈ 2e-2), while the O(h²) truncation stays below that (smaller h makes
      // the error grow, as rounding does: 1e-4–2e-3 at h = 3e-3). Measured: ≤ 5e-5; bound 1e-3. A wrong
      // rule anywhere on the path gives errors of order 1.
      const h = 0.1;
      const lines: string[] = [];
      let worst = 0;
      for (let k = 0; k < 4; k++) {
        const d = normal(v0.length);
        const dNorm = Math.hypot(...d);
        d.forEach((x, i) => (d[i] = x / dNorm));
        const analytic = g.reduce((acc, x, i) => acc + x * d[i]!, 0);
        const numeric = ((await lossAt(v0.map((x, i) => x + h * d[i]!))) - (await lossAt(v0.map((x, i) => x - h * d[i]!)))) / (2 * h);
        const err = Math.abs(analytic - numeric) / gNorm;
        worst = Math.max(worst, err);
        lines.push(`direction ${k}: analytic ${analytic.toExponential(4)}, numeric ${numeric.toExponential(4)}, error/|g| ${err.toExponential(1)}`);
      }
      console.log(`tiny UNet, grad w.r.t. ${wrt}: |g| ${gNorm.toExponential(3)}\n${lines.join('\n')}`);
      expect(worst).toBeLessThan(1e-3);
    } finally {
      await fwd.release();
      await bwd.release();
    }
  });
});
