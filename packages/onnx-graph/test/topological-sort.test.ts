import { Rng } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { findGraphProblems, GraphStructureError, readModelSync, topologicalSort } from '../src/index.js';
import type { GraphProto } from '../src/index.js';
import { copyGraph } from '../src/index.js';
import { diffusersUnetModel } from './helpers/paths.js';
import { graph, node } from './helpers/tiny-models.js';

const unet = readModelSync(diffusersUnetModel).graph!;

function shuffled(g: GraphProto, seed: number): GraphProto {
  const nodes = [...g.node];
  const rng = new Rng(seed);
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return copyGraph(g, { node: nodes });
}

describe('topologicalSort', () => {
  it('orders a shuffled UNet validly, keeping every node exactly once', () => {
    const mixed = shuffled(unet, 7);
    expect(findGraphProblems(mixed).some((p) => p.kind === 'used-before-produced')).toBe(true);
    const sorted = topologicalSort(mixed);
    expect(findGraphProblems(sorted)).toEqual([]);
    expect(sorted.node).toHaveLength(unet.node.length);
    expect(new Set(sorted.node)).toEqual(new Set(unet.node));
    expect(mixed.node).not.toEqual(sorted.node); // the input graph is not modified
  });

  it('is stable: a sorted graph keeps its order exactly', () => {
    expect(topologicalSort(unet).node).toEqual(unet.node);
  });

  it('among independent nodes keeps their previous relative order', () => {
    const g = graph(
      [node('Relu', ['b'], ['c']), node('Neg', ['x'], ['a']), node('Abs', ['x'], ['z']), node('Exp', ['a'], ['b'])],
      { x: [1] },
      { c: [1], z: [1] },
    );
    expect(topologicalSort(g).node.map((n) => n.opType)).toEqual(['Neg', 'Abs', 'Exp', 'Relu']);
  });

  it('names the nodes of a cycle', () => {
    const g = graph(
      [node('Relu', ['x'], ['a'], 'start'), node('Add', ['a', 'c'], ['b'], 'add'), node('Neg', ['b'], ['c'], 'neg')],
      { x: [1] },
      { c: [1] },
    );
    expect(() => topologicalSort(g)).toThrow(GraphStructureError);
    expect(() => topologicalSort(g)).toThrow(/cycle.*'(add|neg)' \((Add|Neg)\) → '(add|neg)'/);
    expect(() => topologicalSort(g)).not.toThrow(/'start'/);
  });
});
