import type { NodeProto } from '../../gen/onnx_pb.js';
import { GradientGraphError } from '../errors.js';
import type { GradContext, GradRule } from '../rule.js';

type Emitter = GradContext['e'];

/** A STRING attribute of a node, or `fallback`. */
export function stringAttr(node: NodeProto, name: string, fallback: string): string {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : new TextDecoder().decode(a.s);
}

/** `Shape(x)[start:]` (1-D int64; Slice rather than Shape's start attribute, which needs opset 15). */
function dims(e: Emitter, x: string, start: number): string {
  return e.op1('Slice', [e.shape(x), e.int64s([start]), e.int64s([2 ** 31 - 1])]);
}

/**
 * Conv (N-D, bias, group, strides, pads, dilations; auto_pad NOTSET or VALID):
 *
 * - dX = ConvTranspose(g, W) with the same strides / dilations / group and no padding, padded with
 *   zeros at the end to the padded input's size (input positions no output read get zero; their
 *   count is computed at run time, so no output_padding attribute is needed) and sliced back by
 *   the begin pads to X's extent.
 * - dW[m, c, k] = Σ_{n, o} g[n, m, o] · Xpad[n, G(m)·C/G + c, o·stride + k·dilation]: a Conv whose
 *   "batch" is the input channel within a group and whose channels are (group, sample) pairs,
 *   X rearranged to [C/G, G·N, ...], g transposed to [M, N, ...] as the weight, group G, strides =
 *   the forward dilations, dilations = the forward strides, the forward pads; its spatial extent is
 *   ≥ the kernel's and is sliced to it, then transposed back to [M, C/G, ...].
 * - dB = Σ of g over all axes but the channel axis.
 */
export const conv: GradRule = ({ node, e, inputs, gradOut, needs, int, ints }) => {
  const g = gradOut(0)!;
  const [x, w, b] = [inputs[0]!, inputs[1]!, inputs[2] ?? ''];
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') {
    throw new GradientGraphError(`autodiff: Conv '${node.name}' uses auto_pad ${autoPad}; only explicit pads are supported`);
  }
  const spatial = ints('kernel_shape')?.length ?? (e.rankOf(w) ?? e.rankOf(x) ?? 4) - 2;
  const ones = new Array<number>(spatial).fill(1);
  const strides = ints('strides') ?? ones;
  const dilations = ints('dilations') ?? ones;
  const pads = autoPad === 'VALID' ? new Array<number>(2 * spatial).fill(0) : (ints('pads') ?? new Array<number>(2 * spatial).fill(0));
  const group = int('group', 1);
  const spatialAxes = Array.from({ length: spatial }, (_, i) => i + 2);
  const padsBegin = pads.slice(0, spatial);
  const padsTotal = padsBegin.map((p, i) => p + pads[spatial + i]!);

  let dx: string | undefined;
  if (needs(0)) {
    const full = e.op1('ConvTranspose', [g, w], { strides, dilations, group });
    // Zeros at the end up to the padded input's extent: (X + pads_begin + pads_end) − full.
    const missing = e.op1('Sub', [e.op1('Add', [dims(e, x, 2), e.int64s(padsTotal)]), dims(e, full, 2)]);
    const padAmounts = e.op1('Concat', [e.int64s(new Array<number>(2 + spatial + 2).fill(0)), missing], { axis: 0 });
    const padded = e.op1('Pad', [full, padAmounts]);
    const ends = e.op1('Add', [dims(e, x, 2), e.int64s(padsBegin)]);
    dx = e.op1('Slice', [padded, e.int64s(padsBegin), ends, e.int64s(spatialAxes)]);
  }

  let dw: string | undefined;
  if (needs(1)) {
    const rest = dims(e, x, 2);
    // X [N, C, ...] → [N, G, C/G, ...] → [C/G, G, N, ...] → [C/G, G·N, ...]
    const split = e.op1('Reshape', [x, e.op1('Concat', [e.int64s([0, group, -1]), rest], { axis: 0 })]);
    const perm = [2, 1, 0, ...spatialAxes.map((a) => a + 1)];
    const moved = e.op1('Transpose', [split], { perm });
    const xr = e.op1('Reshape', [moved, e.op1('Concat', [e.int64s([0, -1]), rest], { axis: 0 })]);
    const swap = [1, 0, ...spatialAxes];
    const gr = e.op1('Transpose', [g], { perm: swap });
    const corr = e.op1('Conv', [xr, gr], { strides: dilations, dilations: strides, pads, group });
    const cut = e.op1('Slice', [corr, e.int64s(new Array<number>(spatial).fill(0)), dims(e, w, 2), e.int64s(spatialAxes)]);
    dw = e.op1('Transpose', [cut], { perm: swap });
  }

  let db: string | undefined;
  if (b !== '' && needs(2)) db = e.op1('ReduceSum', [g, e.int64s([0, ...spatialAxes])], { keepdims: 0 });
  return [dx, dw, db];
};
