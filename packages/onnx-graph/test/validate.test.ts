import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  AttributeProtoSchema,
  findGraphProblems,
  GraphProtoSchema,
  tensorValueInfo,
  GraphValidationError,
  readModelSync,
  TensorProtoSchema,
  validateGraph,
} from '../src/index.js';
import { diffusersUnetModel } from './helpers/paths.js';
import { graph, node } from './helpers/tiny-models.js';

describe('validateGraph', () => {
  it('accepts the real UNet export', () => {
    expect(() => validateGraph(readModelSync(diffusersUnetModel).graph!)).not.toThrow();
  });

  it('names the node and the value nothing produces', () => {
    const g = graph([node('Add', ['x', 'bias'], ['y'], '/block/Add')], { x: [1] }, { y: [1] });
    const problems = findGraphProblems(g);
    expect(problems).toEqual([
      {
        kind: 'missing-input',
        node: '/block/Add',
        value: 'bias',
        message: "node '/block/Add' (Add) reads 'bias', which no node, graph input or initializer produces",
      },
    ]);
    expect(() => validateGraph(g)).toThrow(GraphValidationError);
    expect(() => validateGraph(g)).toThrow(/'\/block\/Add'.*'bias'/);
  });

  it('accepts the empty name of an omitted optional input, and initializers', () => {
    const bias = create(TensorProtoSchema, { name: 'b', dataType: 1, dims: [1n], floatData: [0] });
    const g = graph([node('Clip', ['x', '', 'b'], ['y'], 'clip')], { x: [1] }, { y: [1] }, [bias]);
    expect(findGraphProblems(g)).toEqual([]);
  });

  it('reports reads before the producing node, double producers, repeated names and missing outputs', () => {
    const g = graph(
      [
        node('Relu', ['a'], ['b'], 'first'),
        node('Neg', ['x'], ['a'], 'second'),
        node('Abs', ['x'], ['a'], 'second'),
      ],
      { x: [1] },
      { b: [1], nowhere: [1] },
    );
    const problems = findGraphProblems(g);
    expect(problems.map((p) => [p.kind, p.node, p.value])).toEqual([
      ['used-before-produced', 'first', 'a'],
      ['duplicate-node-name', 'second', 'second'],
      ['duplicate-producer', 'second', 'a'],
      ['missing-output', undefined, 'nowhere'],
    ]);
    expect(problems[0]!.message).toMatch(/before node 'second' produces it/);
  });

  it('checks subgraphs against their enclosing scope', () => {
    const body = create(GraphProtoSchema, {
      name: 'then',
      node: [node('Add', ['outer', 'ghost'], ['r'], 'inner')],
      output: [tensorValueInfo('r', 'float32', [1])],
    });
    const ifNode = node('If', ['cond'], ['y'], 'if');
    ifNode.attribute.push(create(AttributeProtoSchema, { name: 'then_branch', type: 5, g: body }));
    const g = graph([node('Relu', ['x'], ['outer'], 'relu'), ifNode], { x: [1], cond: [] }, { y: [1] });
    const problems = findGraphProblems(g);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      "in subgraph 'then_branch' of node 'if': node 'inner' (Add) reads 'ghost', which no node, graph input or initializer produces",
    );
  });
});
