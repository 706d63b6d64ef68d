import { describe, expect, it } from 'vitest';
import { findGraphProblems, GraphStructureError, insertNodes } from '../src/index.js';
import { graph, node } from './helpers/tiny-models.js';

// x → a (Relu) → b (Neg) → y (Abs)
const chain = () =>
  graph(
    [node('Relu', ['x'], ['a'], 'relu'), node('Neg', ['a'], ['b'], 'neg'), node('Abs', ['b'], ['y'], 'abs')],
    { x: [1] },
    { y: [1] },
  );
const names = (g: { node: { name: string }[] }) => g.node.map((n) => n.name);

describe('insertNodes', () => {
  it('without a placement, puts the nodes right after the last producer they read from', () => {
    const g = insertNodes(chain(), [node('Exp', ['a'], ['e'], 'exp')]);
    expect(names(g)).toEqual(['relu', 'exp', 'neg', 'abs']);
    const fromInput = insertNodes(chain(), [node('Exp', ['x'], ['e'], 'exp')]);
    expect(names(fromInput)).toEqual(['exp', 'relu', 'neg', 'abs']);
  });

  it('orders several new nodes among themselves', () => {
    const g = insertNodes(chain(), [node('Sqrt', ['e'], ['s'], 'sqrt'), node('Exp', ['b'], ['e'], 'exp')]);
    expect(names(g)).toEqual(['relu', 'neg', 'exp', 'sqrt', 'abs']);
    expect(findGraphProblems(g)).toEqual([]);
  });

  it('honours before / after when that keeps the order valid', () => {
    expect(names(insertNodes(chain(), [node('Exp', ['a'], ['e'], 'exp')], { after: 'neg' }))).toEqual([
      'relu',
      'neg',
      'exp',
      'abs',
    ]);
    const c = chain();
    expect(names(insertNodes(c, [node('Exp', ['x'], ['e'], 'exp')], { before: c.node[1]! }))).toEqual([
      'relu',
      'exp',
      'neg',
      'abs',
    ]);
  });

  it('refuses a placement before the producer of an input, naming both', () => {
    expect(() => insertNodes(chain(), [node('Exp', ['b'], ['e'], 'exp')], { before: 'neg' })).toThrow(
      /node 'exp' reads 'b', which node 'neg' \(position 1\) produces later/,
    );
  });

  it('places a node whose output an existing node already reads (after replaceUses) before that reader', () => {
    const g = chain();
    g.node[2]!.input[0] = 'spliced'; // abs now reads a value nothing produces yet
    const fixed = insertNodes(g, [node('Exp', ['b'], ['spliced'], 'exp')]);
    expect(names(fixed)).toEqual(['relu', 'neg', 'exp', 'abs']);
    expect(() => insertNodes(g, [node('Exp', ['b'], ['spliced'], 'exp')], { after: 'abs' })).toThrow(
      /node 'abs' \(position 2\) reads 'spliced' from inserted node 'exp'/,
    );
  });

  it('refuses name clashes and unknown anchors', () => {
    expect(() => insertNodes(chain(), [node('Exp', ['x'], ['b'], 'exp')])).toThrow(/output 'b' is already a value/);
    expect(() => insertNodes(chain(), [node('Exp', ['x'], ['e'], 'neg')])).toThrow(/already has a node of that name/);
    expect(() => insertNodes(chain(), [node('Exp', ['x'], ['e'], 'exp')], { after: 'ghost' })).toThrow(
      GraphStructureError,
    );
  });

  it('leaves its input graph unchanged', () => {
    const g = chain();
    insertNodes(g, [node('Exp', ['a'], ['e'], 'exp')]);
    expect(names(g)).toEqual(['relu', 'neg', 'abs']);
  });
});
