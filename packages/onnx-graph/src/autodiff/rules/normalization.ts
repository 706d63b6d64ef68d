import { create } from '@bufbuild/protobuf';
import { type TensorProto, TensorProto_DataType, TensorProtoSchema } from '../../gen/onnx_pb.js';
import { GradientGraphError } from '../errors.js';
import type { GradContext, GradRule } from '../rule.js';

type Emitter = GradContext['e'];

/**
 * LayerNormalization (opset 17; Y = (x − μ)·σ⁻¹·scale + bias over the axes from `axis` to the
 * last): the statistics are recomputed from x in x's dtype (stash_type is not honoured), then
 *   x̂ = (x − μ)·σ⁻¹, ĝ = g·scale,  dx = σ⁻¹·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),
 *   dscale = Σ g·x̂ and dbias = Σ g over the leading axes.
 * Gradients flowing into the optional Mean / InvStdDev outputs are not supported.
 */
export const layerNormalization: GradRule = ({ node, e, inputs, gradOut, needs, int, float }) => {
  if (gradOut(1) !== undefined || gradOut(2) !== undefined) {
    throw new GradientGraphError(
      `autodiff: node '${node.name}' (LayerNormalization): gradients through its Mean / InvStdDev outputs are not supported`,
    );
  }
  const g = gradOut(0)!;
  const [x, scale, bias] = [inputs[0]!, inputs[1]!, inputs[2] ?? ''];
  const axis = int('axis', -1);
  const axes =
    axis < 0
      ? e.int64s(Array.from({ length: -axis }, (_, i) => axis + i))
      : e.op1('Range', [
          e.op1('Constant', [], { value_int: axis }),
          e.op1('Size', [e.shape(x)]),
          e.op1('Constant', [], { value_int: 1 }),
        ]);
  const { meanOf, invStd, xHat } = standardise(e, x, axes, float('epsilon', 1e-5));
  let dx: string | undefined;
  if (needs(0)) {
    const gHat = e.mul(g, scale);
    dx = inputGradient(e, gHat, invStd, xHat, meanOf);
  }
  const dScale = needs(1) ? e.reduceTo(e.mul(g, xHat), scale) : undefined;
  const dBias = bias !== '' && needs(2) ? e.reduceTo(g, bias) : undefined;
  return [dx, dScale, dBias];
};

/**
 * InstanceNormalization (x: [N, C, D1, …], scale and bias: [C]; statistics over D1, …): as
 * LayerNormalization over the spatial axes, with scale broadcast per channel and dscale, dbias
 * summed over the batch and spatial axes.
 */
export const instanceNormalization: GradRule = ({ e, inputs, gradOut, needs, float }) => {
  const g = gradOut(0)!;
  const [x, scale, bias] = [inputs[0]!, inputs[1]!, inputs[2]!];
  const rank = e.op1('Size', [e.shape(x)]);
  const spatial = e.op1('Range', [e.op1('Constant', [], { value_int: 2 }), rank, e.op1('Constant', [], { value_int: 1 })]);
  const { meanOf, invStd, xHat } = standardise(e, x, spatial, float('epsilon', 1e-5));
  // Per-channel values as [C, 1, …, 1] (rank − 1 dims) so they broadcast against x.
  const onesTail = e.op1('ConstantOfShape', [e.op1('Sub', [e.op1('Shape', [e.shape(x)]), e.int64s([2])])], {
    value: { kind: 'tensor', value: int64One() },
  });
  const channelShape = e.op1('Concat', [e.int64s([-1]), onesTail], { axis: 0 });
  const perChannel = (v: string) => e.op1('ReduceSum', [e.op1('ReduceSum', [v, spatial], { keepdims: 0 }), e.int64s([0])], { keepdims: 0 });
  const dx = needs(0) ? inputGradient(e, e.mul(g, e.op1('Reshape', [scale, channelShape])), invStd, xHat, meanOf) : undefined;
  const dScale = needs(1) ? perChannel(e.mul(g, xHat)) : undefined;
  const dBias = needs(2) ? perChannel(g) : undefined;
  return [dx, dScale, dBias];
};

/** Mean, centred values, σ⁻¹ and x̂ of x over `axes` (keepdims), recomputed in x's dtype. */
function standardise(e: Emitter, x: string, axes: string, epsilon: number) {
  const sum = (v: string) => e.op1('ReduceSum', [v, axes], { keepdims: 1 });
  const firstSum = sum(x);
  const count = e.op1('CastLike', [e.op1('Div', [e.op1('Size', [x]), e.op1('Size', [firstSum])]), x]);
  const meanOf = (v: string) => e.op1('Div', [sum(v), count]);
  const centred = e.op1('Sub', [x, e.op1('Div', [firstSum, count])]);
  const variance = meanOf(e.mul(centred, centred));
  const invStd = e.op1('Div', [e.scalar(1, x), e.op1('Sqrt', [e.add(variance, e.scalar(epsilon, x))])]);
  return { meanOf, invStd, xHat: e.mul(centred, invStd) };
}

/** dx = σ⁻¹·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) for ĝ = g·scale. */
function inputGradient(e: Emitter, gHat: string, invStd: string, xHat: string, meanOf: (v: string) => string): string {
  const inner = e.op1('Sub', [e.op1('Sub', [gHat, meanOf(gHat)]), e.mul(xHat, meanOf(e.mul(gHat, xHat)))]);
  return e.mul(invStd, inner);
}

function int64One(): TensorProto {
  return create(TensorProtoSchema, { dataType: TensorProto_DataType.INT64, dims: [1n], int64Data: [1n] });
}
