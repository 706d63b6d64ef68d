import { describe, expect, it } from 'vitest';
import { Tensor } from '@perfusion/tensor-core';
import {
  addGraphInput,
  addGraphOutput,
  addInitializer,
  tensorToProto,
  GraphStructureError,
  removeGraphOutput,
  tensorValueInfo,
  valueDType,
  valueShape,
} from '../src/index.js';
import { graph, node } from './helpers/tiny-models.js';

const g0 = () => graph([node('Relu', ['x'], ['a'], 'relu'), node('Neg', ['a'], ['y'], 'neg')], { x: ['batch', 3] }, { y: ['batch', 3] });

describe('addGraphInput / addGraphOutput / removeGraphOutput', () => {
  it('adds an input with dtype and static / symbolic / unknown dims', () => {
    const g = addGraphInput(g0(), 'coeffs', 'float16', ['batch', 77, null]);
    const input = g.input[1]!;
    expect(input.name).toBe('coeffs');
    expect(valueDType(input)).toBe('float16');
    expect(valueShape(input)).toEqual(['batch', 77, null]);
  });

  it('refuses an input whose name is taken', () => {
    expect(() => addGraphInput(g0(), 'a', 'float32', [1])).toThrow(/cannot add input 'a'.*already exists/);
  });

  it('adds an output, taking its type from value_info when not given', () => {
    const withInfo = g0();
    withInfo.valueInfo.push(tensorValueInfo('a', 'float32', ['batch', 3]));
    const g = addGraphOutput(withInfo, 'a');
    expect(g.output.map((o) => o.name)).toEqual(['y', 'a']);
    expect(valueShape(g.output[1]!)).toEqual(['batch', 3]);
    expect(valueDType(addGraphOutput(g0(), 'a', 'float32').output[1]!)).toBe('float32');
    expect(valueShape(addGraphOutput(g0(), 'a', 'float32').output[1]!)).toBeUndefined();
  });

  it('explains what is wrong with an output', () => {
    expect(() => addGraphOutput(g0(), 'a')).toThrow(/'a'.*element type is not recorded; pass elemType/);
    expect(() => addGraphOutput(g0(), 'ghost', 'float32')).toThrow(/no node, input or initializer defines it/);
    expect(() => addGraphOutput(g0(), 'y', 'float32')).toThrow(/already an output/);
    expect(() => removeGraphOutput(g0(), 'a')).toThrow(GraphStructureError);
  });

  it('removes an output', () => {
    const g = removeGraphOutput(addGraphOutput(g0(), 'a', 'float32'), 'y');
    expect(g.output.map((o) => o.name)).toEqual(['a']);
  });
});

describe('addInitializer', () => {
  it('adds a tensor, refusing a name already in use', () => {
    const scale = tensorToProto('scale', new Tensor('float32', new Float32Array([2]), [1]));
    const g = addInitializer(g0(), scale);
    expect(g.initializer).toEqual([scale]);
    expect(() => addInitializer(g, scale)).toThrow(/cannot add initializer 'scale'.*already exists/);
    expect(() => addInitializer(g0(), tensorToProto('a', new Tensor('float32', new Float32Array([2]), [1])))).toThrow(
      GraphStructureError,
    );
  });
});
