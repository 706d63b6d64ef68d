import { TensorProto_DataType } from '../../gen/onnx_pb.js';
import type { GradContext, GradRule } from '../rule.js';

// Ops that read chosen elements of x. Each rule repeats the forward op on a tensor holding every
// element's flat index, which tells where each output element came from, and scatters g there.

type Emitter = GradContext['e'];

/** Slice: g written back at the sliced positions; starts / ends / axes / steps get none. */
export const slice: GradRule = ({ e, inputs, gradOut }) => {
  const x = inputs[0]!;
  const picked = e.op1('Slice', [flatPositions(e, x), ...inputs.slice(1)]);
  return [scatterInto(e, x, picked, gradOut(0)!, 'none')];
};

/** Gather: g summed back at the gathered positions (repeated indices add up); indices get none. */
export const gather: GradRule = ({ e, inputs, gradOut, int }) => {
  const x = inputs[0]!;
  const picked = e.op1('Gather', [flatPositions(e, x), inputs[1]!], { axis: int('axis', 0) });
  return [scatterInto(e, x, picked, gradOut(0)!, 'add'), undefined];
};

/**
 * GatherND (any batch_dims, negative indices): as Gather. CLIP's pooled output is one, picking the
 * end-of-text token's state of each sequence.
 */
export const gatherND: GradRule = ({ e, inputs, gradOut, int }) => {
  const x = inputs[0]!;
  const picked = e.op1('GatherND', [flatPositions(e, x), inputs[1]!], { batch_dims: int('batch_dims', 0) });
  return [scatterInto(e, x, picked, gradOut(0)!, 'add'), undefined];
};

/** int64 tensor with x's shape holding 0, 1, 2, … (each element's flat index). */
export function flatPositions(e: Emitter, x: string): string {
  const count = e.op1('Size', [x]);
  const range = e.op1('Range', [e.op1('Constant', [], { value_int: 0 }), count, e.op1('Constant', [], { value_int: 1 })]);
  return e.op1('Reshape', [range, e.shape(x)]);
}

/** Zeros like x with g's elements written (or added) at flat positions `picked` (g's shape). */
export function scatterInto(e: Emitter, x: string, picked: string, g: string, reduction: 'none' | 'add'): string {
  const flat = e.int64s([-1]);
  // onnxruntime's CPU ScatterElements has no float16 kernel for reduction 'add': sum in float32.
  const widen = reduction === 'add' && HALF_TYPES.has(e.elemTypeOf(x) ?? -1);
  const asFloat = (v: string) => (widen ? e.op1('Cast', [v], { to: TensorProto_DataType.FLOAT }) : v);
  const zeros = e.op1('Reshape', [asFloat(e.zerosLike(x)), flat]);
  const scattered = e.op1('ScatterElements', [zeros, e.op1('Reshape', [picked, flat]), e.op1('Reshape', [asFloat(g), flat])], {
    axis: 0,
    ...(reduction === 'add' ? { reduction: 'add' } : {}),
  });
  const shaped = e.op1('Reshape', [scattered, e.shape(x)]);
  return widen ? e.op1('CastLike', [shaped, x]) : shaped;
}

const HALF_TYPES: ReadonlySet<number> = new Set([TensorProto_DataType.FLOAT16, TensorProto_DataType.BFLOAT16]);
