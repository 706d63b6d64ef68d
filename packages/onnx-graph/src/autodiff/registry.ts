import type { GradRule } from './rule.js';
import * as conv from './rules/conv.js';
import * as elementwise from './rules/elementwise.js';
import * as indexing from './rules/indexing.js';
import * as matmul from './rules/matmul.js';
import * as normalization from './rules/normalization.js';
import * as pad from './rules/pad.js';
import * as reduce from './rules/reduce.js';
import * as resize from './rules/resize.js';
import * as select from './rules/select.js';
import * as shape from './rules/shape.js';
import * as unary from './rules/unary.js';

/** Gradient rules of the default ONNX domain, by op type (opset ≥ 13 semantics). */
const RULES: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['Add', elementwise.add],
  ['Sub', elementwise.sub],
  ['Mul', elementwise.mul],
  ['Div', elementwise.div],
  ['Neg', elementwise.neg],
  ['Pow', elementwise.pow],
  ['Where', elementwise.where],
  ['Max', select.extremum],
  ['Min', select.extremum],
  ['Clip', select.clip],
  ['MatMul', matmul.matMul],
  ['Gemm', matmul.gemm],
  ['Conv', conv.conv],
  ['Reshape', shape.reshapeLike],
  ['Squeeze', shape.reshapeLike],
  ['Unsqueeze', shape.reshapeLike],
  ['Flatten', shape.reshapeLike],
  ['Transpose', shape.transpose],
  ['Expand', shape.expand],
  ['Concat', shape.concat],
  ['Split', shape.split],
  ['Tile', shape.tile],
  ['Trilu', shape.trilu],
  ['Pad', pad.pad],
  ['Slice', indexing.slice],
  ['Gather', indexing.gather],
  ['GatherND', indexing.gatherND],
  ['Resize', resize.resize],
  ['Identity', unary.identity],
  ['Cast', unary.cast],
  ['Sigmoid', unary.sigmoid],
  ['Tanh', unary.tanh],
  ['Exp', unary.exp],
  ['Log', unary.log],
  ['Sqrt', unary.sqrt],
  ['Erf', unary.erf],
  ['Relu', unary.relu],
  ['Sin', unary.sin],
  ['Cos', unary.cos],
  ['Abs', unary.abs],
  ['Softmax', reduce.softmax],
  ['ReduceSum', reduce.reduceSum],
  ['ReduceMean', reduce.reduceMean],
  ['ReduceMax', reduce.reduceExtremum],
  ['ReduceMin', reduce.reduceExtremum],
  ['CumSum', reduce.cumSum],
  ['LayerNormalization', normalization.layerNormalization],
  ['InstanceNormalization', normalization.instanceNormalization],
]);

/** The rule for a node's op, or undefined (custom domains have none yet). */
export function gradientRule(opType: string, domain: string): GradRule | undefined {
  return domain === '' || domain === 'ai.onnx' ? RULES.get(opType) : undefined;
}

/** The op types with a gradient rule, sorted. */
export function supportedGradientOps(): string[] {
  return [...RULES.keys()].sort();
}

/**
 * Ops whose outputs carry no gradient: shapes, sizes, comparisons, logic, indices and piecewise-
 * constant functions (zero derivative almost everywhere). Differentiation never walks through them,
 * so `Reshape(x, Concat(Shape(x)…))` and masks computed from activations need no rule.
 */
const NON_DIFFERENTIABLE: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'ConstantOfShape', 'Range', 'NonZero', 'ArgMax', 'ArgMin',
  'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'IsNaN', 'IsInf', 'Sign', 'Floor', 'Ceil', 'Round', 'EyeLike', 'RandomNormalLike', 'RandomUniformLike',
  'Bernoulli', 'Multinomial',
]);

/** Whether a node's outputs carry no gradient (see NON_DIFFERENTIABLE). */
export function isNonDifferentiable(opType: string, domain: string): boolean {
  return (domain === '' || domain === 'ai.onnx') && NON_DIFFERENTIABLE.has(opType);
}
