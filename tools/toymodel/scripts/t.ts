import 'reflect-metadata';
import { OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { autoencoderStage } from '../src/index.js';
const stage = autoencoderStage();
await writeModel(stage.graph.model, '/tmp/ae-graph.onnx');
const s = await OnnxSession.create('/tmp/ae-graph.onnx', { configEntries: { 'session.disable_prepacking': '1' } });
const feeds = await stage.batch(new Rng(1), 16);
for (const p of stage.graph.parameters) feeds[p.name] = new Tensor('float32', p.values, p.shape);
for (let i = 0; i < 4; i++) { const t = performance.now(); await s.run(feeds); console.log('run ms', performance.now() - t); }
const ops = new Map<string, number>(); for (const n of stage.graph.model.graph!.node) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
console.log([...ops].sort((a, b) => b[1] - a[1]).slice(0, 25));
