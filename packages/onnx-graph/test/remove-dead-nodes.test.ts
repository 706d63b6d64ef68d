import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { insertNodes, readModelSync, removeDeadNodes, TensorProtoSchema, tensorValueInfo } from '../src/index.js';
import { diffusersUnetModel } from './helpers/paths.js';
import { graph, node } from './helpers/tiny-models.js';

const scalar = (name: string) => create(TensorProtoSchema, { name, dataType: 1, dims: [1n], floatData: [1] });

describe('removeDeadNodes', () => {
  it('drops nodes that reach no output, initializers nothing reads, and their value_info', () => {
    const g = graph(
      [
        node('Add', ['x', 'used'], ['a'], 'live/Add'),
        node('Mul', ['x', 'dead_w'], ['d1'], 'dead/Mul'),
        node('Neg', ['d1'], ['d2'], 'dead/Neg'),
        node('Relu', ['a'], ['y'], 'live/Relu'),
      ],
      { x: [1], unused_input: [1] },
      { y: [1] },
      [scalar('used'), scalar('dead_w'), scalar('orphan')],
    );
    g.valueInfo.push(tensorValueInfo('a', 'float32', [1]), tensorValueInfo('d2', 'float32', [1]));
    const clean = removeDeadNodes(g);
    expect(clean.node.map((n) => n.name)).toEqual(['live/Add', 'live/Relu']);
    expect(clean.initializer.map((t) => t.name)).toEqual(['used']);
    expect(clean.valueInfo.map((v) => v.name)).toEqual(['a']);
    expect(clean.input.map((v) => v.name)).toEqual(['x', 'unused_input']); // the interface stays
    expect(g.node).toHaveLength(4); // input graph untouched
  });

  it('removes a dead branch added to the UNet and nothing else', () => {
    const unet = readModelSync(diffusersUnetModel).graph!;
    expect(removeDeadNodes(unet).node).toEqual(unet.node);
    const withDeadBranch = insertNodes(unet, [
      node('Neg', ['encoder_hidden_states'], ['dead1'], '/dead/Neg'),
      node('Exp', ['dead1'], ['dead2'], '/dead/Exp'),
    ]);
    expect(withDeadBranch.node).toHaveLength(unet.node.length + 2);
    const cleaned = removeDeadNodes(withDeadBranch);
    expect(cleaned.node).toEqual(unet.node);
    expect(cleaned.initializer).toEqual(unet.initializer);
  });
});
