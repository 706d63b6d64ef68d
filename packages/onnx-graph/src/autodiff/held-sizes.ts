import type { NodeProto } from '../gen/onnx_pb.js';
import { constantNumbers } from './constant-values.js';
import { divide, fixedDim, fixedValue, multiply, sameDim, type SymDim } from './dim-product.js';
import { attr, axis, intAttr } from './node-attributes.js';

export type Shape = readonly SymDim[];

/** What the ops read: shapes of values, the dims a 1-D integer value holds, small constants. */
export interface Known {
  shape(value: string): Shape | undefined;
  /** Elements of a 0-D or 1-D integer value that holds sizes (a Shape, a Reshape target). */
  dims(value: string): Shape | undefined;
  numbers(value: string): number[] | undefined;
}

/** The sizes a Shape output holds (its `start` / `end` slice of the input's dims). */
export function sliceOfShape(node: NodeProto, x: Shape): Shape {
  const start = intAttr(node, 'start', 0);
  const end = intAttr(node, 'end', x.length);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
  return x.slice(clamp(start), clamp(end));
}

/**
 * The sizes a 0-D or 1-D integer output holds, for the shape arithmetic torch exports write
 * (`Shape → Gather → Unsqueeze → Concat → Reshape`), or undefined.
 */
export function heldDims(node: NodeProto, k: Known): Shape | undefined {
  const input = (i: number) => k.dims(node.input[i] ?? '');
  switch (node.opType) {
    case 'Shape': {
      const x = k.shape(node.input[0]!);
      return x === undefined ? undefined : sliceOfShape(node, x);
    }
    case 'Gather': {
      const from = input(0);
      const at = k.numbers(node.input[1]!);
      if (from === undefined || at === undefined || intAttr(node, 'axis', 0) !== 0) return undefined;
      return at.map((i) => from[axis(i, from.length)] ?? null);
    }
    case 'Cast':
      // Sizes stay sizes only as integers (a float Div would not truncate).
      return [6, 7].includes(intAttr(node, 'to', 0)) ? input(0) : undefined;
    case 'Identity':
    case 'Unsqueeze':
    case 'Squeeze':
      return input(0);
    case 'Reshape': {
      const target = k.numbers(node.input[1]!);
      return target?.length === 1 ? input(0) : undefined;
    }
    case 'ConstantOfShape': {
      const count = fixedValue(input(0)?.length === 1 ? input(0)![0]! : null);
      const a = attr(node, 'value');
      const fill = a?.t === undefined ? [0] : constantNumbers(undefined, a.t);
      return count === undefined || fill?.length !== 1 ? undefined : new Array<SymDim>(count).fill(fixedDim(fill[0]!));
    }
    // torch's expand writes Where(Equal(shape, -1), 1, shape): sizes are never negative, so the
    // comparison is false wherever a size meets a negative number (held as 0 / 1 for false / true).
    case 'Equal':
      return elementwise([input(0), input(1)], ([a = null, b = null]) => {
        const [fa, fb] = [fixedValue(a), fixedValue(b)];
        if (fa !== undefined && fb !== undefined) return fixedDim(fa === fb ? 1 : 0);
        if ((fa !== undefined && fa < 0 && b !== null) || (fb !== undefined && fb < 0 && a !== null)) return fixedDim(0);
        return sameDim(a, b) ? fixedDim(1) : null;
      });
    case 'Where':
      return elementwise([input(0), input(1), input(2)], ([c = null, a = null, b = null]) => {
        const cond = fixedValue(c);
        return cond === undefined ? null : cond !== 0 ? a : b;
      });
    case 'Concat': {
      const parts = node.input.map((_, i) => input(i));
      return parts.every((p) => p !== undefined) ? parts.flatMap((p) => [...p!]) : undefined;
    }
    case 'Add':
    case 'Sub': {
      const sign = node.opType === 'Add' ? 1 : -1;
      return elementwise([input(0), input(1)], ([a = null, b = null]) => {
        const [fa, fb] = [fixedValue(a), fixedValue(b)];
        return fa === undefined || fb === undefined ? null : fixedDim(fa + sign * fb);
      });
    }
    case 'Mul':
      return elementwise([input(0), input(1)], ([a = null, b = null]) => multiply(a, b));
    case 'Div':
      // Integer division truncates (size arithmetic: torch's chunk computes (n + 1) / 2).
      return elementwise([input(0), input(1)], ([a = null, b = null]) => {
        const [fa, fb] = [fixedValue(a), fixedValue(b)];
        return fa !== undefined && fb !== undefined && fb !== 0 ? fixedDim(Math.trunc(fa / fb)) : divide(a, b);
      });
    default:
      return undefined;
  }
}

/** An elementwise op on held lists (each of the longest one's length, or of length 1). */
function elementwise(lists: readonly (Shape | undefined)[], f: (at: SymDim[]) => SymDim): Shape | undefined {
  if (lists.some((l) => l === undefined)) return undefined;
  const all = lists as Shape[];
  const n = Math.max(...all.map((l) => l.length));
  if (all.some((l) => l.length !== n && l.length !== 1)) return undefined;
  return Array.from({ length: n }, (_, i) => f(all.map((l) => l[l.length === 1 ? 0 : i] ?? null)));
}
