import { GradientGraphError } from '../errors.js';
import type { GradRule } from '../rule.js';
import { stringAttr } from './conv.js';

/**
 * Resize, nearest mode with integer scale factors (as torch's F.interpolate(scale_factor=2,
 * mode='nearest') exports it: asymmetric + floor; half_pixel with rounding maps blocks the same
 * way): every input element is copied into an s₀×s₁×… block, so dx sums g over each block —
 * Reshape g to [d₀, s₀, d₁, s₁, …] (sᵢ = Shape(y)ᵢ / Shape(x)ᵢ at run time) and ReduceSum the
 * odd axes. Non-integer factors or other modes are not supported (the run-time Reshape fails for
 * non-integer factors; other modes are rejected here).
 */
export const resize: GradRule = ({ node, e, inputs, outputs, gradOut }) => {
  const mode = stringAttr(node, 'mode', 'nearest');
  const coord = stringAttr(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = stringAttr(node, 'nearest_mode', 'round_prefer_floor');
  const blockwise =
    mode === 'nearest' &&
    ((coord === 'asymmetric' && nearestMode === 'floor') ||
      ((coord === 'half_pixel' || coord === 'pytorch_half_pixel') && nearestMode.startsWith('round_')));
  if (!blockwise) {
    throw new GradientGraphError(
      `autodiff: Resize '${node.name}' (mode ${mode}, ${coord}, ${nearestMode}) has no gradient rule; ` +
        `only nearest-neighbour upscaling by integer factors (asymmetric + floor, or half_pixel) is supported`,
    );
  }
  const x = inputs[0]!;
  const rank = e.rankOf(x) ?? e.rankOf(outputs[0]!) ?? 4;
  const g = gradOut(0)!;
  const sx = e.shape(x);
  const factors = e.op1('Div', [e.shape(outputs[0]!), sx]);
  // Interleave [d₀, s₀, d₁, s₁, …]: stack on a new last axis and flatten.
  const pairs = e.op1('Concat', [e.op1('Unsqueeze', [sx, e.int64s([1])]), e.op1('Unsqueeze', [factors, e.int64s([1])])], { axis: 1 });
  const blocks = e.op1('Reshape', [g, e.op1('Reshape', [pairs, e.int64s([-1])])]);
  const odd = Array.from({ length: rank }, (_, i) => 2 * i + 1);
  const dx = e.op1('ReduceSum', [blocks, e.int64s(odd)], { keepdims: 0 });
  return [dx, ...inputs.slice(1).map(() => undefined)];
};
