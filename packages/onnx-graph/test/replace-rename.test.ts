import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  AttributeProtoSchema,
  findGraphProblems,
  GraphProtoSchema,
  insertNodes,
  renameValue,
  replaceUses,
  TensorProtoSchema,
  tensorValueInfo,
} from '../src/index.js';
import { graph, node } from './helpers/tiny-models.js';

const fork = () =>
  graph(
    [node('Relu', ['x'], ['a'], 'relu'), node('Neg', ['a'], ['b'], 'neg'), node('Add', ['a', 'b'], ['y'], 'add')],
    { x: [1] },
    { y: [1], a: [1] },
  );

describe('replaceUses', () => {
  it('splices a node into an edge: readers of a value switch to the new node’s output', () => {
    let g = insertNodes(fork(), [node('Sigmoid', ['a'], ['gated'], 'gate')]);
    g = replaceUses(g, 'a', 'gated', { except: ['gate'] });
    expect(g.node.map((n) => `${n.name}:${n.input.join(',')}`)).toEqual([
      'relu:x',
      'gate:a',
      'neg:gated',
      'add:gated,b',
    ]);
    expect(g.output.map((o) => o.name)).toEqual(['y', 'a']); // graph outputs keep their name by default
    expect(findGraphProblems(g)).toEqual([]);
  });

  it('renames graph outputs on request and does not touch the input graph', () => {
    const before = fork();
    const after = replaceUses(before, 'a', 'b', { graphOutputs: true });
    expect(after.output.map((o) => o.name)).toEqual(['y', 'b']);
    expect(before.node[1]!.input).toEqual(['a']);
    expect(before.output.map((o) => o.name)).toEqual(['y', 'a']);
  });

  it('follows outer references into subgraphs unless the subgraph defines the name itself', () => {
    const reads = create(GraphProtoSchema, { name: 'reads', node: [node('Neg', ['a'], ['r1'], 'in1')], output: [tensorValueInfo('r1', 'float32', [1])] });
    const shadows = create(GraphProtoSchema, {
      name: 'shadows',
      node: [node('Relu', ['x'], ['a'], 'in2'), node('Neg', ['a'], ['r2'], 'in3')],
      output: [tensorValueInfo('r2', 'float32', [1])],
    });
    const ifNode = node('If', ['cond'], ['z'], 'if');
    ifNode.attribute.push(
      create(AttributeProtoSchema, { name: 'then_branch', type: 5, g: reads }),
      create(AttributeProtoSchema, { name: 'else_branch', type: 5, g: shadows }),
    );
    const g = graph([node('Relu', ['x'], ['a'], 'relu'), node('Neg', ['x'], ['a2'], 'neg'), ifNode], { x: [1], cond: [] }, { z: [1] });
    const out = replaceUses(g, 'a', 'a2');
    const attrs = out.node[2]!.attribute;
    expect(attrs[0]!.g!.node[0]!.input).toEqual(['a2']);
    expect(attrs[1]!.g).toBe(shadows);
    expect(reads.node[0]!.input).toEqual(['a']);
  });
});

describe('renameValue', () => {
  it('renames producer, readers, outputs, initializers and value_info', () => {
    const w = create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [1n], floatData: [2] });
    const g = graph([node('Mul', ['x', 'w'], ['a'], 'mul'), node('Neg', ['a'], ['y'], 'neg')], { x: [1] }, { y: [1], a: [1] }, [w]);
    g.valueInfo.push(tensorValueInfo('a', 'float32', [1]));
    const renamed = renameValue(renameValue(g, 'a', 'scaled'), 'w', 'weight');
    expect(renamed.node.map((n) => [n.input, n.output])).toEqual([
      [['x', 'weight'], ['scaled']],
      [['scaled'], ['y']],
    ]);
    expect(renamed.output.map((o) => o.name)).toEqual(['y', 'scaled']);
    expect(renamed.valueInfo.map((v) => v.name)).toEqual(['scaled']);
    expect(renamed.initializer[0]!.name).toBe('weight');
    expect(renamed.initializer[0]!.floatData).toBe(w.floatData); // payload shared, not copied
    expect(w.name).toBe('w');
  });

  it('keeps graph output names when asked, so a new node can produce them', () => {
    const g = graph([node('Relu', ['x'], ['y'], 'relu')], { x: [1] }, { y: [1] });
    let edited = renameValue(g, 'y', 'y_raw', { graphOutputs: false });
    edited = insertNodes(edited, [node('Neg', ['y_raw'], ['y'], 'neg')]);
    expect(findGraphProblems(edited)).toEqual([]);
    expect(edited.node.map((n) => n.name)).toEqual(['relu', 'neg']);
  });

  it('refuses to merge two values or rename a missing one', () => {
    const g = fork();
    expect(() => renameValue(g, 'a', 'b')).toThrow(/'b' is already a value/);
    expect(() => renameValue(g, 'ghost', 'c')).toThrow(/no node, input or initializer defines it/);
  });
});
