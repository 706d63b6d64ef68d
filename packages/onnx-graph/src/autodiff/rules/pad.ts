import type { GradRule } from '../rule.js';
import { stringAttr } from './conv.js';
import { flatPositions, scatterInto } from './indexing.js';

/**
 * Pad (pads, optional constant_value and axes as inputs):
 *
 * - constant mode: dx = Pad(g, −pads): the negated pads crop what the forward added and add back
 *   (as zeros) what negative forward pads cropped. d constant_value = Σg − Σdx, the gradient
 *   landing on the filled positions.
 * - reflect, edge, wrap: several outputs can copy one input element, so the flat positions of x are
 *   padded the same way and g is summed back at them (ScatterElements with reduction add).
 *
 * pads and axes get none.
 */
export const pad: GradRule = ({ node, e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [x, pads, value, axes] = [inputs[0]!, inputs[1]!, inputs[2] ?? '', inputs[3] ?? ''];
  const optionalAxes = axes === '' ? [] : ['', axes];
  const mode = stringAttr(node, 'mode', 'constant');
  if (mode !== 'constant') {
    const picked = e.op1('Pad', [flatPositions(e, x), pads, ...optionalAxes], { mode });
    return [scatterInto(e, x, picked, g, 'add')];
  }
  const dx = e.op1('Pad', [g, e.op1('Neg', [pads]), ...optionalAxes]);
  let dValue: string | undefined;
  if (value !== '' && needs(2)) {
    const total = (v: string) => e.op1('ReduceSum', [v], { keepdims: 0 });
    dValue = e.op1('Reshape', [e.op1('Sub', [total(g), total(dx)]), e.shape(value)]);
  }
  return [dx, undefined, dValue, undefined];
};
