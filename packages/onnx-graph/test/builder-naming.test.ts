import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/builder/index.js';
import { f32, runModel } from './builder-support.js';

// Expected names follow torch.onnx.export as seen in ../shared/fixtures/diffusers-unet-tiny:
// `/down_blocks.0/resnets.0/nonlinearity_1/Sigmoid`, `/down_blocks.0/resnets.0/Add_1`, outputs
// `<node>_output_0`.

describe('node naming', () => {
  it('names nodes by scope path and op type, suffixing repeats within one scope', () => {
    const b = new GraphBuilder({ name: 'naming' });
    const x = b.input('x', 'float32', [2]);
    const names: string[] = [];
    b.scope('down_blocks.0', () =>
      b.scope('attentions.0', () =>
        b.scope('transformer_blocks.0', () =>
          b.scope('attn2', () => {
            const k = b.scope('to_k', () => b.matMul(x, x));
            const v = b.scope('to_v', () => b.matMul(x, x));
            names.push(k.name, v.name, b.add(k, v).name, b.add(k, v).name, b.add(k, v).name);
          }),
        ),
      ),
    );
    expect(names).toEqual([
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul_output_0',
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_v/MatMul_output_0',
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Add_output_0',
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Add_1_output_0',
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Add_2_output_0',
    ]);
    const nodes = b.build().graph!.node.map((n) => n.name);
    expect(nodes).toContain('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul');
    expect(nodes).toContain('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Add_2');
  });

  it('suffixes a scope entered again under the same parent, like a module called twice', () => {
    const b = new GraphBuilder({ name: 'naming' });
    const x = b.input('x', 'float32', [2]);
    const outs = b.scope('resnets.0', () => [0, 1, 2].map(() => b.scope('nonlinearity', () => b.silu(x)).name));
    expect(outs).toEqual([
      '/resnets.0/nonlinearity/Mul_output_0',
      '/resnets.0/nonlinearity_1/Mul_output_0',
      '/resnets.0/nonlinearity_2/Mul_output_0',
    ]);
    // The same module name under another parent starts again without a suffix.
    expect(b.scope('resnets.1', () => b.scope('nonlinearity', () => b.sigmoid(x)).name)).toBe(
      '/resnets.1/nonlinearity/Sigmoid_output_0',
    );
  });

  it('puts root nodes and literal constants in the current scope like torch', () => {
    const b = new GraphBuilder({ name: 'naming' });
    const x = b.input('x', 'float32', [2]);
    expect(b.mul(x, 2).name).toBe('/Mul_output_0');
    const nodes = b.build().graph!.node;
    expect(nodes.map((n) => [n.name, n.opType])).toEqual([
      ['/Constant', 'Constant'],
      ['/Mul', 'Mul'],
    ]);
    expect(nodes[1]!.input).toEqual(['x', '/Constant_output_0']);
  });

  it('paramName joins module names with dots and ignores call suffixes; anonymousName counts up', () => {
    const b = new GraphBuilder({ name: 'naming' });
    b.scope('down_blocks.0', () => b.scope('resnets.0', () => b.scope('conv1', () => undefined)));
    expect(b.scope('down_blocks.0', () => b.scope('resnets.0', () => b.scope('conv1', () => b.paramName('weight'))))).toBe(
      'down_blocks.0.resnets.0.conv1.weight',
    );
    expect(b.paramName('bias')).toBe('bias');
    expect([b.anonymousName('MatMul'), b.anonymousName('Mul')]).toEqual(['onnx::MatMul_1', 'onnx::Mul_2']);
  });
});

describe('graph outputs', () => {
  it('renames the producing node output in place, updating consumers and the handle', async () => {
    const b = new GraphBuilder({ name: 'outputs' });
    const x = b.input('x', 'float32', [2]);
    const conv = b.scope('conv_out', () => b.mul(x, 3));
    const later = b.add(conv, 1);
    const out = b.output(conv, 'out_sample', 'float32', [2]);
    b.output(later, 'later');
    const model = b.build();
    const producer = model.graph!.node.find((n) => n.name === '/conv_out/Mul')!;
    expect(producer.output).toEqual(['out_sample']);
    expect(out.name).toBe('out_sample');
    expect(conv.name).toBe('out_sample');
    expect(model.graph!.node.some((n) => n.opType === 'Identity')).toBe(false);
    const run = await runModel(model, { x: f32([1, 2], [2]) });
    expect(Array.from(run['out_sample']!.data as Float32Array)).toEqual([3, 6]);
    expect(Array.from(run['later']!.data as Float32Array)).toEqual([4, 7]);
  });

  it('inserts an Identity when the value is a graph input or already an output', async () => {
    const b = new GraphBuilder({ name: 'outputs' });
    const x = b.input('x', 'float32', [2]);
    const y = b.sigmoid(x);
    b.output(y, 'first');
    b.output(y, 'second');
    b.output(x, 'echo');
    const model = b.build();
    expect(model.graph!.node.filter((n) => n.opType === 'Identity').map((n) => n.output[0])).toEqual(['second', 'echo']);
    const run = await runModel(model, { x: f32([0, 0], [2]) });
    expect(Array.from(run['second']!.data as Float32Array)).toEqual([0.5, 0.5]);
    expect(Array.from(run['echo']!.data as Float32Array)).toEqual([0, 0]);
  });

  it('records the output dtype and symbolic shape', () => {
    const b = new GraphBuilder({ name: 'outputs', dtype: 'float16' });
    const x = b.input('sample', 'float16', ['batch', 4, 'height', 'width']);
    b.output(b.identity(x), 'out_sample', undefined, ['batch', 4, 'height', 'width']);
    const output = b.build().graph!.output[0]!;
    const type = output.type!.value;
    expect(type.case).toBe('tensorType');
    if (type.case !== 'tensorType') return;
    expect(type.value.elemType).toBe(10); // FLOAT16: the builder's dtype is the default
    expect(type.value.shape!.dim.map((d) => d.value.value)).toEqual(['batch', 4n, 'height', 'width']);
  });
});
