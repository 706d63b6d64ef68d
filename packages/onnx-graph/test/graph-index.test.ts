import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  AttributeProtoSchema,
  GraphIndex,
  GraphProtoSchema,
  GraphStructureError,
  readModelSync,
  StaleGraphIndexError,
  tensorValueInfo,
} from '../src/index.js';
import { diffusersUnetModel } from './helpers/paths.js';
import { graph, node } from './helpers/tiny-models.js';

const unet = readModelSync(diffusersUnetModel).graph!;
const index = new GraphIndex(unet);

describe('GraphIndex on the diffusers UNet', () => {
  it('finds the 16 cross-attention key projections by name pattern', () => {
    const toK = index.nodesByName(/\/attn2\/to_k\/MatMul$/);
    // SD-1.x layout: 2 + 2 + 2 down, 1 mid, 3 + 3 + 3 up attention blocks (fixture README).
    expect(toK).toHaveLength(16);
    expect(toK.every((n) => n.opType === 'MatMul')).toBe(true);
    expect(toK[0]!.name).toBe('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul');
  });

  it('lists the consumers of encoder_hidden_states: exactly the to_k and to_v MatMuls', () => {
    const consumers = index.consumers('encoder_hidden_states');
    const expected = unet.node.filter((n) => /\/attn2\/to_[kv]\/MatMul$/.test(n.name));
    expect(consumers).toEqual(expected);
    expect(consumers).toHaveLength(32);
  });

  it('connects producers, consumers, initializers and types', () => {
    const toK = index.requireNode('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul');
    expect(index.producer(toK.output[0]!)).toBe(toK);
    expect(index.consumers(toK.output[0]!).length).toBeGreaterThan(0);
    for (const reader of index.consumers(toK.output[0]!)) expect(reader.input).toContain(toK.output[0]);
    const weight = index.initializer(toK.input[1]!)!;
    expect(weight.dims).toEqual([32n, 32n]); // cross-attention dim 32 → width 32 in block 0
    expect(index.producer(toK.input[1]!)).toBeUndefined();
    expect(index.valueType(toK.input[1]!)).toEqual({ elemType: 1, shape: [32, 32] });
    expect(index.valueType('sample')).toEqual({ elemType: 1, shape: ['batch', 4, 'height', 'width'] });
    expect(index.valueDType('timestep')).toBe('int64');
    expect(index.graphInput('timestep')?.name).toBe('timestep');
    expect(index.graphOutput('out_sample')?.name).toBe('out_sample');
    expect(index.valueInfo('nothing')).toBeUndefined();
  });

  it('groups nodes by op type in graph order', () => {
    const matmuls = index.nodesByOpType('MatMul');
    expect(matmuls).toEqual(unet.node.filter((n) => n.opType === 'MatMul'));
    expect(index.position(matmuls[1]!)).toBeGreaterThan(index.position(matmuls[0]!));
    expect(index.nodesByOpType('NoSuchOp')).toEqual([]);
  });

  it('names what is missing', () => {
    expect(() => index.requireNode('/nope')).toThrow(GraphStructureError);
    expect(() => index.requireNode('/nope')).toThrow(/no node named '\/nope'/);
  });
});

describe('GraphIndex lifecycle and subgraphs', () => {
  it('refuses to answer after the graph gained a node', () => {
    const g = graph([node('Relu', ['x'], ['y'])], { x: [1] }, { y: [1] });
    const stale = new GraphIndex(g);
    g.node.push(node('Neg', ['y'], ['z']));
    expect(() => stale.producer('z')).toThrow(StaleGraphIndexError);
    expect(new GraphIndex(g).producer('z')?.opType).toBe('Neg');
  });

  it('counts a node whose If-branch reads an outer value as its consumer', () => {
    const branch = create(GraphProtoSchema, {
      name: 'then',
      node: [node('Neg', ['outer'], ['branch_out'])],
      output: [tensorValueInfo('branch_out', 'float32', [1])],
    });
    const ifNode = node('If', ['cond'], ['y'], 'if');
    ifNode.attribute.push(create(AttributeProtoSchema, { name: 'then_branch', type: 5, g: branch }));
    const g = graph([node('Relu', ['x'], ['outer']), ifNode], { x: [1], cond: [] }, { y: [1] });
    const ix = new GraphIndex(g);
    expect(ix.consumers('outer')).toEqual([ifNode]);
    expect(ix.consumers('cond')).toEqual([ifNode]);
  });
});
