import { attr } from './attributes.js';
import { GraphBuilderCore } from './core.js';
import type { Value, ValueLike } from './value.js';

/** Options of {@link MathOpsBuilder.gemm}. */
export interface GemmOptions {
  readonly alpha?: number;
  readonly beta?: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

/**
 * Elementwise arithmetic, unary functions, activations and matrix products. Binary ops follow
 * ONNX multidirectional (numpy) broadcasting; number literals become scalar constants of the
 * builder's float dtype.
 */
export class MathOpsBuilder extends GraphBuilderCore {
  /** `a + b` (Add, broadcasting). */
  add(a: ValueLike, b: ValueLike): Value {
    return this.op1('Add', [a, b]);
  }

  /** `a - b` (Sub, broadcasting). */
  sub(a: ValueLike, b: ValueLike): Value {
    return this.op1('Sub', [a, b]);
  }

  /** `a * b` (Mul, broadcasting). */
  mul(a: ValueLike, b: ValueLike): Value {
    return this.op1('Mul', [a, b]);
  }

  /** `a / b` (Div, broadcasting; integer division truncates for integer types). */
  div(a: ValueLike, b: ValueLike): Value {
    return this.op1('Div', [a, b]);
  }

  /** `a ** b` (Pow; the exponent may have another numeric type than the base). */
  pow(a: ValueLike, b: ValueLike): Value {
    return this.op1('Pow', [a, b]);
  }

  /** Elementwise square root (Sqrt). */
  sqrt(x: Value): Value {
    return this.op1('Sqrt', [x]);
  }

  /** Elementwise e^x (Exp). */
  exp(x: Value): Value {
    return this.op1('Exp', [x]);
  }

  /** Elementwise sine (Sin; ORT's CPU kernel is float32/float64 only). */
  sin(x: Value): Value {
    return this.op1('Sin', [x]);
  }

  /** Elementwise cosine (Cos; ORT's CPU kernel is float32/float64 only). */
  cos(x: Value): Value {
    return this.op1('Cos', [x]);
  }

  /** Elementwise Gauss error function (Erf). */
  erf(x: Value): Value {
    return this.op1('Erf', [x]);
  }

  /** Elementwise 1 / (1 + e^-x) (Sigmoid). */
  sigmoid(x: Value): Value {
    return this.op1('Sigmoid', [x]);
  }

  /** SiLU / swish, `x · sigmoid(x)`, as torch exports it: Sigmoid then Mul. */
  silu(x: Value): Value {
    return this.mul(x, this.sigmoid(x));
  }

  /**
   * Exact GELU, `x · ½(1 + erf(x / √2))`, as torch exports `F.gelu` below opset 20:
   * Div, Erf, Add, Mul, Mul.
   */
  gelu(x: Value): Value {
    const inner = this.add(this.erf(this.div(x, Math.SQRT2)), 1);
    return this.mul(this.mul(x, inner), 0.5);
  }

  /** CLIP's quick GELU, `x · sigmoid(1.702 x)`: Mul, Sigmoid, Mul. */
  quickGelu(x: Value): Value {
    return this.mul(x, this.sigmoid(this.mul(x, 1.702)));
  }

  /** Matrix product with numpy semantics: batched over leading dims, 1-D operands promoted (MatMul). */
  matMul(a: Value, b: Value): Value {
    return this.op1('MatMul', [a, b]);
  }

  /**
   * `alpha · op(A) · op(B) + beta · C` on 2-D A and B, `op` transposing when asked (Gemm). A torch
   * `Linear` with bias on a 2-D input exports as Gemm with `transB` and the [out, in] weight.
   */
  gemm(a: Value, b: Value, c?: ValueLike, options: GemmOptions = {}): Value {
    return this.op1('Gemm', c === undefined ? [a, b] : [a, b, c], {
      alpha: attr.float(options.alpha ?? 1),
      beta: attr.float(options.beta ?? 1),
      transA: options.transA ? 1 : undefined,
      transB: options.transB ? 1 : undefined,
    });
  }
}
