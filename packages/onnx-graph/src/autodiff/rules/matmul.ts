import type { GradRule } from '../rule.js';

/**
 * MatMul (numpy semantics, batched with broadcasting): dA = g·Bᵀ, dB = Aᵀ·g, each summed over
 * broadcast batch axes back to its input's shape. 1-D operands are handled when their rank is
 * statically known (graph inputs, initializers, recorded value_info); values of unknown rank are
 * taken as ≥ 2-D.
 */
export const matMul: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [a, b] = [inputs[0]!, inputs[1]!];
  const ra = e.rankOf(a);
  const rb = e.rankOf(b);
  // Lift 1-D operands to matrices (as numpy does) so one formula covers all cases.
  const a2 = ra === 1 ? e.op1('Unsqueeze', [a, e.int64s([0])]) : a;
  const b2 = rb === 1 ? e.op1('Unsqueeze', [b, e.int64s([-1])]) : b;
  let g2 = g;
  if (ra === 1) g2 = e.op1('Unsqueeze', [g2, e.int64s([-2])]);
  if (rb === 1) g2 = e.op1('Unsqueeze', [g2, e.int64s([-1])]);
  let da: string | undefined;
  let db: string | undefined;
  if (needs(0)) {
    const full = e.op1('MatMul', [g2, e.transposeLast2(b2)]);
    // With a 2-D b (a weight), or b's batch axes broadcasting into a's (attention's scores and
    // values), the output's batch axes are a's: full has a's shape already.
    if (ra === 1) da = e.reduceTo(e.op1('Squeeze', [full, e.int64s([-2])]), a);
    else da = rb === 2 || e.broadcastKeeps(a, [b], true) ? full : e.reduceTo(full, a);
  }
  if (needs(1)) {
    const full = e.op1('MatMul', [e.transposeLast2(a2), g2]);
    if (rb === 1) db = e.reduceTo(e.op1('Squeeze', [full, e.int64s([-1])]), b);
    else db = ra !== 1 && e.broadcastKeeps(b, [a], true) ? full : e.reduceTo(full, b);
  }
  return [da, db];
};

/**
 * Gemm (Y = α·A′·B′ + β·C, A′ = transA ? Aᵀ : A, likewise B′): the input gradients are Gemms
 * themselves, with the transposes chosen so no Transpose node is needed; dC = β·g reduced to C.
 */
export const gemm: GradRule = ({ e, inputs, gradOut, needs, int, float }) => {
  const g = gradOut(0)!;
  const [a, b, c] = [inputs[0]!, inputs[1]!, inputs[2] ?? ''];
  const alpha = float('alpha', 1);
  const beta = float('beta', 1);
  const tA = int('transA', 0) !== 0;
  const tB = int('transB', 0) !== 0;
  const gemm = (x: string, y: string, transA: boolean, transB: boolean): string =>
    e.op1('Gemm', [x, y], { alpha: { kind: 'float', value: alpha }, transA: transA ? 1 : 0, transB: transB ? 1 : 0 });
  let da: string | undefined;
  let db: string | undefined;
  if (needs(0)) da = tA ? gemm(b, g, tB, true) : gemm(g, b, false, !tB);
  if (needs(1)) db = tB ? gemm(g, a, true, tA) : gemm(a, g, !tA, false);
  let dc: string | undefined;
  if (c !== '' && needs(2)) dc = e.reduceTo(beta === 1 ? g : e.mul(g, e.scalar(beta, g)), c);
  return [da, db, dc];
};
