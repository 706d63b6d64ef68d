import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Tensor, toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import { ExternalDataWriter } from '../src/external-data/writer.js';
import { GraphValidationError } from '../src/passes/validate.js';
import { GraphBuilder, GraphBuilderError, attr, toAttributeProto } from '../src/builder/index.js';
import { ModelProtoSchema, TensorProto_DataLocation, TensorProto_DataType } from '../src/gen/onnx_pb.js';
import { expectClose, f32, runModel, seeded } from './builder-support.js';

describe('build()', () => {
  it('writes IR version 8, the opset, the producer and the graph name', () => {
    const b = new GraphBuilder({ name: 'tiny', opset: 17, producer: 'perfusion-fixtures', producerVersion: '0.1.0' });
    b.output(b.sigmoid(b.input('x', 'float32', [1])), 'y');
    const model = b.build();
    expect(model.irVersion).toBe(8n);
    expect(model.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 17n]]);
    expect([model.producerName, model.producerVersion, model.graph!.name]).toEqual(['perfusion-fixtures', '0.1.0', 'tiny']);
  });

  it('imports custom domains used through op()', () => {
    const b = new GraphBuilder({ name: 'custom' });
    const [y] = b.op('FastGelu', [b.input('x', 'float32', [1])], {}, { domain: 'com.microsoft' });
    b.output(y!, 'y');
    expect(b.build().opsetImport.map((o) => o.domain)).toEqual(['', 'com.microsoft']);
  });

  it('names the node and the missing value when an input is never produced', () => {
    const b = new GraphBuilder({ name: 'dangling' });
    const x = b.input('x', 'float32', [1]);
    b.scope('attn2', () => b.scope('to_k', () => b.matMul(x, { name: 'ghost_weight' })));
    expect(() => b.build()).toThrow(GraphValidationError);
    expect(() => b.build()).toThrow(/node '\/attn2\/to_k\/MatMul' \(MatMul\) reads 'ghost_weight'/);
  });

  it('rejects an output of an unknown value and a reused name', () => {
    const b = new GraphBuilder({ name: 'names' });
    const x = b.input('x', 'float32', [1]);
    expect(() => b.output({ name: 'nowhere' }, 'y')).toThrow(/value "nowhere" is not produced/);
    expect(() => b.input('x', 'float32', [1])).toThrow(/"x" is already used/);
    expect(() => b.initializer('x', Tensor.zeros('float32', [1]))).toThrow(GraphBuilderError);
    expect(x.name).toBe('x');
  });

  it('rejects opsets the helpers are not written for', () => {
    expect(() => new GraphBuilder({ name: 'old', opset: 11 })).toThrow(/opset 11 is not supported/);
  });
});

describe('float16 builders', () => {
  it('store parameters and literal constants as float16 and run in ORT', async () => {
    const weights = seeded(12, 5);
    const b = new GraphBuilder({ name: 'half', dtype: 'float16' });
    const x = b.input('x', 'float16', [2, 3]);
    const w = b.parameter('w', [3, 4], Float32Array.from(weights));
    b.output(b.mul(b.matMul(x, w), 0.5), 'y', 'float16');
    const model = b.build();
    const init = model.graph!.initializer[0]!;
    expect(init.dataType).toBe(TensorProto_DataType.FLOAT16);
    expect(init.rawData.byteLength).toBe(12 * 2);
    const constantNode = model.graph!.node.find((n) => n.opType === 'Constant')!;
    expect(constantNode.attribute[0]!.t!.dataType).toBe(TensorProto_DataType.FLOAT16);

    const input = seeded(6, 6);
    const out = await runModel(model, { x: new ort.Tensor('float16', toFloat16Array(Float32Array.from(input)), [2, 3]) });
    const y = out['y']!;
    expect(y.type).toBe('float16');
    const actual = toFloat32Array(y.data as Uint16Array);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) {
      let acc = 0;
      for (let k = 0; k < 3; k++) acc += input[i * 3 + k]! * weights[k * 4 + j]!;
      expected.push(acc * 0.5);
    }
    expectClose(actual, expected, 5e-3);
  });
});

describe('external data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'builder-external-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams initializers above the threshold to the writer and keeps small ones inline', async () => {
    const writer = new ExternalDataWriter(dir, 'model.onnx_data');
    const b = new GraphBuilder({ name: 'external', external: writer, externalThreshold: 256 });
    const x = b.input('x', 'float32', [1, 32]);
    const big = b.parameter('big', [32, 32], Float32Array.from(seeded(1024, 8)));
    const small = b.parameter('small', [32], new Float32Array(32).fill(0.5));
    b.output(b.add(b.matMul(x, big), small), 'y');
    const model = b.build();
    writer.close();
    const [bigProto, smallProto] = model.graph!.initializer;
    expect(bigProto!.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    expect(bigProto!.rawData.byteLength).toBe(0);
    expect(smallProto!.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
    expect(smallProto!.rawData.byteLength).toBe(32 * 4);
    expect(statSync(join(dir, 'model.onnx_data')).size).toBeGreaterThanOrEqual(1024 * 4);

    const modelPath = join(dir, 'model.onnx');
    writeFileSync(modelPath, toBinary(ModelProtoSchema, model));
    const session = await ort.InferenceSession.create(modelPath);
    const ones = new Array<number>(32).fill(1);
    const out = await session.run({ x: f32(ones, [1, 32]) });
    await session.release();
    const bigValues = seeded(1024, 8);
    const expected = Array.from({ length: 32 }, (_, j) => bigValues.filter((_, i) => i % 32 === j).reduce((s, v) => s + v, 0) + 0.5);
    expectClose(out['y']!.data as Float32Array, expected, 1e-4);
    expect(readFileSync(modelPath).byteLength).toBeLessThan(1024 * 4);
  });
});

describe('attributes', () => {
  it('types plain values by inspection and explicit ones as told', () => {
    expect(toAttributeProto('axis', -1).i).toBe(-1n);
    expect(toAttributeProto('epsilon', 1e-5).f).toBeCloseTo(1e-5, 10);
    expect(toAttributeProto('alpha', attr.float(1)).type).toBe(1); // FLOAT, although 1 is integral
    expect(toAttributeProto('perm', [0, 2, 1]).ints).toEqual([0n, 2n, 1n]);
    expect(toAttributeProto('scales', [1, 1.5]).floats).toEqual([1, 1.5]);
    expect(new TextDecoder().decode(toAttributeProto('mode', 'nearest').s)).toBe('nearest');
    expect(toAttributeProto('names', ['a', 'b']).strings.length).toBe(2);
    expect(() => toAttributeProto('bad', attr.int(0.5))).toThrow(/not an integer/);
  });
});
