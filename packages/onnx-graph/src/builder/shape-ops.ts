import type { DType } from '@perfusion/tensor-core';
import { onnxDataType } from '../dtype.js';
import { attr } from './attributes.js';
import { MathOpsBuilder } from './math-ops.js';
import type { Value, ValueLike } from './value.js';

/** A list of int64s given either literally or as a graph value (e.g. computed from `Shape`). */
export type IntsLike = readonly number[] | Value;

/**
 * Shape, layout, indexing and type ops. Literal shapes, axes and indices become int64
 * `Constant` nodes in the current scope, as in torch exports. Axis arguments may be negative
 * (counted from the end), as ONNX allows.
 */
export class ShapeOpsBuilder extends MathOpsBuilder {
  /**
   * Reshape. In a literal shape `0` copies the input's size at that position and one `-1` is
   * inferred (ONNX Reshape with allowzero = 0), so `[0, 0, heads, -1]` splits the last dim of a
   * tensor whose batch and length are dynamic.
   */
  reshape(x: Value, shape: IntsLike): Value {
    return this.op1('Reshape', [x, this.ints(shape)], { allowzero: 0 });
  }

  /** Permutes dimensions: output dim i is input dim perm[i] (Transpose). */
  transpose(x: Value, perm: readonly number[]): Value {
    return this.op1('Transpose', [x], { perm });
  }

  /** Joins tensors along `axis`; all other dims must match (Concat). */
  concat(inputs: readonly ValueLike[], axis: number): Value {
    return this.op1('Concat', inputs, { axis });
  }

  /** Splits `x` along `axis` into pieces of the given sizes (Split, sizes as input from opset 13). */
  split(x: Value, axis: number, sizes: readonly number[]): Value[] {
    return this.op('Split', [x, this.int64s(sizes)], { axis }, { outputs: sizes.length });
  }

  /**
   * Slices `x` (Slice, opset 10+ form): for each listed axis keeps `starts ≤ i < ends` with the
   * given steps; ends past the size clamp, negative positions count from the end.
   * @param axes default: the first `starts.length` axes.
   */
  slice(x: Value, starts: IntsLike, ends: IntsLike, axes?: readonly number[], steps?: readonly number[]): Value {
    const inputs: (Value | null)[] = [x, this.ints(starts), this.ints(ends)];
    if (axes !== undefined || steps !== undefined) inputs.push(axes === undefined ? null : this.int64s(axes));
    if (steps !== undefined) inputs.push(this.int64s(steps));
    return this.op1('Slice', inputs);
  }

  /**
   * Takes entries of `data` along `axis` at `indices` (Gather). A number index makes a scalar
   * int64 index (the axis disappears), an array a 1-D index.
   */
  gather(data: Value, indices: Value | number | readonly number[], axis = 0): Value {
    const index =
      typeof indices === 'number'
        ? this.constant(BigInt(indices), [], 'int64')
        : Array.isArray(indices)
          ? this.int64s(indices as readonly number[])
          : (indices as Value);
    return this.op1('Gather', [data, index], { axis });
  }

  /**
   * Gathers slices of `data` by index tuples in the last dim of `indices` (GatherND); with
   * `batchDims = 1`, row b of `indices` indexes row b of `data`.
   */
  gatherND(data: Value, indices: Value, batchDims = 0): Value {
    return this.op1('GatherND', [data, indices], { batch_dims: batchDims });
  }

  /** Index of the largest entry along `axis`, int64 (ArgMax; first occurrence on ties). */
  argMax(x: Value, axis: number, keepdims = true): Value {
    return this.op1('ArgMax', [x], { axis, keepdims: keepdims ? 1 : 0 });
  }

  /** Inserts size-1 dims at `axes` of the output (Unsqueeze, axes as input from opset 13). */
  unsqueeze(x: Value, axes: readonly number[]): Value {
    return this.op1('Unsqueeze', [x, this.int64s(axes)]);
  }

  /** Removes size-1 dims at `axes`, or every size-1 dim when omitted (Squeeze, opset 13 form). */
  squeeze(x: Value, axes?: readonly number[]): Value {
    return this.op1('Squeeze', axes === undefined ? [x] : [x, this.int64s(axes)]);
  }

  /** Broadcasts `x` to `shape` with numpy rules; size-1 dims in `shape` keep x's size (Expand). */
  expand(x: Value, shape: IntsLike): Value {
    return this.op1('Expand', [x, this.ints(shape)]);
  }

  /** The shape of `x` as a 1-D int64 tensor, optionally dims `start ≤ i < end` only (Shape, opset 15 slicing). */
  shape(x: Value, start?: number, end?: number): Value {
    return this.op1('Shape', [x], { start, end });
  }

  /**
   * A tensor of the given shape filled with one value (ConstantOfShape).
   * @param dtype element type of the fill value; default the builder's float dtype.
   */
  constantOfShape(shape: IntsLike, value = 0, dtype: DType = this.dtype): Value {
    const fill = this.tensorProto([value], [1], dtype);
    return this.op1('ConstantOfShape', [this.ints(shape)], { value: attr.tensor(fill) });
  }

  /** Converts element type (Cast). */
  cast(x: Value, to: DType): Value {
    return this.op1('Cast', [x], { to: onnxDataType(to) });
  }

  /** Elementwise `cond ? a : b` with broadcasting (Where). */
  where(cond: Value, a: ValueLike, b: ValueLike): Value {
    return this.op1('Where', [cond, a, b]);
  }

  /** Elementwise `a == b`, bool (Equal). */
  equal(a: ValueLike, b: ValueLike): Value {
    return this.op1('Equal', [a, b]);
  }

  /** Copies `x` (Identity). */
  identity(x: Value): Value {
    return this.op1('Identity', [x]);
  }

  /**
   * Pads with a constant (Pad, opset 11+ form). `pads` lists the begin amounts of every axis,
   * then the end amounts: `[x1_begin, x2_begin, …, x1_end, x2_end, …]`. A non-zero fill value is
   * a constant of the builder's float dtype (so `x` must have that dtype); zero fits any dtype.
   */
  pad(x: Value, pads: readonly number[], value = 0): Value {
    const inputs = value === 0 ? [x, this.int64s(pads)] : [x, this.int64s(pads), this.constant(value)];
    return this.op1('Pad', inputs, { mode: 'constant' });
  }

  /** A literal int list as an int64 constant; a value passes through. */
  protected ints(values: IntsLike): Value {
    return isValue(values) ? values : this.int64s(values);
  }
}

function isValue(v: IntsLike): v is Value {
  return !Array.isArray(v);
}
