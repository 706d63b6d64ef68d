import { attr } from './attributes.js';
import { ShapeOpsBuilder } from './shape-ops.js';
import type { Value } from './value.js';

/** Options of {@link GraphBuilder.layerNorm}. */
export interface LayerNormOptions {
  /** First normalised axis; every axis from it to the last is normalised. Default -1. */
  readonly axis?: number;
  /** Added to the variance. Default 1e-5 (torch's default). */
  readonly epsilon?: number;
  /**
   * Spell the norm out as ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add, as torch exports
   * it below opset 17, instead of one LayerNormalization node. Forced below opset 17. Only the
   * last axis is supported in this form.
   */
  readonly decomposed?: boolean;
}

/** Options of {@link GraphBuilder.groupNorm}. */
export interface GroupNormOptions {
  /** Number of channel groups; must divide the channel count. */
  readonly groups: number;
  /** Per-channel scale, shape [C, 1, 1] so it broadcasts over [N, C, H, W]. */
  readonly weight: Value;
  /** Per-channel shift, shape [C, 1, 1]. */
  readonly bias: Value;
  /** Added to the variance. Default 1e-5 (torch's default). */
  readonly epsilon?: number;
}

/** Options of {@link GraphBuilder.conv} and {@link GraphBuilder.convTranspose}. */
export interface ConvOptions {
  /** Stride per spatial axis. Default 1 each. */
  readonly strides?: readonly number[];
  /** Padding, begin amounts of each spatial axis then end amounts (`[top, left, bottom, right]` in 2-D). Default 0. */
  readonly pads?: readonly number[];
  /** Dilation per spatial axis. Default 1 each. */
  readonly dilations?: readonly number[];
  /** Number of groups (input and output channels must be divisible by it). Default 1. */
  readonly group?: number;
  /** Kernel size; read from the weight initializer when omitted and known. */
  readonly kernelShape?: readonly number[];
}

/** Extra options of {@link GraphBuilder.convTranspose}. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Added to one side of each output spatial axis. Default 0. */
  readonly outputPadding?: readonly number[];
}

/** Options of {@link GraphBuilder.resize}. */
export interface ResizeOptions {
  /** Scale per axis of the input, e.g. `[1, 1, 2, 2]` for a ×2 NCHW upsample. */
  readonly scales: readonly number[];
  /** Interpolation. Default 'nearest'. */
  readonly mode?: 'nearest' | 'linear' | 'cubic';
  /** Default 'asymmetric', which with nearest/floor is torch's `F.interpolate(mode="nearest")`. */
  readonly coordinateTransformationMode?: 'half_pixel' | 'asymmetric' | 'align_corners' | 'pytorch_half_pixel';
  /** Rounding for nearest mode. Default 'floor'. */
  readonly nearestMode?: 'floor' | 'round_prefer_floor' | 'round_prefer_ceil' | 'ceil';
}

/**
 * Builds an ONNX ModelProto with typed op helpers and torch-export naming (see the package
 * README, "Graph builder"). Helpers that a neural network's layers need (normalisations,
 * convolutions, softmax, resize) live here; elementwise math and shape ops in the layers below.
 *
 * ```ts
 * const b = new GraphBuilder({ name: 'demo' });
 * const x = b.input('x', 'float32', ['batch', 8]);
 * const y = b.scope('act', () => b.silu(x));      // nodes /act/Sigmoid, /act/Mul
 * b.output(y, 'y', 'float32', ['batch', 8]);
 * const model = b.build();
 * ```
 */
export class GraphBuilder extends ShapeOpsBuilder {
  /** Softmax along one axis (opset 13 semantics: only `axis` is normalised). */
  softmax(x: Value, axis = -1): Value {
    return this.op1('Softmax', [x], { axis });
  }

  /** Mean over `axes` (ReduceMean; axes are an attribute before opset 18 and an input from 18 on). */
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value {
    const keep = keepdims ? 1 : 0;
    if (this.opset >= 18) return this.op1('ReduceMean', [x, this.int64s(axes)], { keepdims: keep });
    return this.op1('ReduceMean', [x], { axes, keepdims: keep });
  }

  /**
   * Layer normalisation over the trailing axes: `(x − mean) / √(var + ε) · weight + bias`, with
   * the biased variance. One LayerNormalization node (opset ≥ 17) unless `decomposed`.
   */
  layerNorm(x: Value, weight: Value, bias: Value, options: LayerNormOptions = {}): Value {
    const axis = options.axis ?? -1;
    const epsilon = options.epsilon ?? 1e-5;
    if (!options.decomposed && this.opset >= 17) {
      return this.op1('LayerNormalization', [x, weight, bias], { axis, epsilon: attr.float(epsilon) });
    }
    const centred = this.sub(x, this.reduceMean(x, [axis]));
    const variance = this.reduceMean(this.pow(centred, 2), [axis]);
    const normalised = this.div(centred, this.sqrt(this.add(variance, epsilon)));
    return this.add(this.mul(normalised, weight), bias);
  }

  /**
   * Group normalisation of an [N, C, …] tensor the way torch exports `nn.GroupNorm`: Reshape to
   * [N, groups, −1], InstanceNormalization with unit scale and zero bias, Reshape back to the
   * input's shape, then Mul by `weight` and Add `bias` ([C, 1, 1] each).
   */
  groupNorm(x: Value, options: GroupNormOptions): Value {
    const { groups } = options;
    const grouped = this.reshape(x, [0, groups, -1]);
    const ones = this.constant(new Array<number>(groups).fill(1), [groups]);
    const zeros = this.constant(new Array<number>(groups).fill(0), [groups]);
    const normalised = this.op1('InstanceNormalization', [grouped, ones, zeros], {
      epsilon: attr.float(options.epsilon ?? 1e-5),
    });
    const restored = this.reshape(normalised, this.shape(x));
    return this.add(this.mul(restored, options.weight), options.bias);
  }

  /**
   * N-d convolution (Conv): x [N, C_in, …], weight [C_out, C_in / group, k…], optional bias
   * [C_out]. Writes every attribute explicitly, as torch does.
   */
  conv(x: Value, weight: Value, bias?: Value, options: ConvOptions = {}): Value {
    return this.op1('Conv', bias === undefined ? [x, weight] : [x, weight, bias], this.convAttributes(weight, options));
  }

  /**
   * Transposed convolution (ConvTranspose): weight [C_in, C_out / group, k…]. Output size per
   * axis is `stride·(in−1) + outputPadding + (k−1)·dilation + 1 − padBegin − padEnd`.
   */
  convTranspose(x: Value, weight: Value, bias?: Value, options: ConvTransposeOptions = {}): Value {
    const attributes = this.convAttributes(weight, options);
    const rank = attributes.strides.length;
    return this.op1('ConvTranspose', bias === undefined ? [x, weight] : [x, weight, bias], {
      ...attributes,
      output_padding: options.outputPadding ?? new Array<number>(rank).fill(0),
    });
  }

  /**
   * Resize by scale factors (Resize, opset 13 form with an empty `roi`). The defaults reproduce
   * torch's `F.interpolate(scale_factor=…, mode="nearest")`, which diffusers' Upsample2D uses.
   * Scales are float32 whatever the builder's dtype, as ONNX requires.
   */
  resize(x: Value, options: ResizeOptions): Value {
    const scales = this.constant(options.scales, [options.scales.length], 'float32');
    const mode = options.mode ?? 'nearest';
    return this.op1('Resize', [x, null, scales], {
      coordinate_transformation_mode: options.coordinateTransformationMode ?? 'asymmetric',
      cubic_coeff_a: attr.float(-0.75),
      mode,
      nearest_mode: mode === 'nearest' ? (options.nearestMode ?? 'floor') : undefined,
    });
  }

  private convAttributes(weight: Value, options: ConvOptions) {
    const kernelShape = options.kernelShape ?? this.initializerShape(weight)?.slice(2);
    const rank = kernelShape?.length ?? options.strides?.length ?? 2;
    return {
      dilations: options.dilations ?? new Array<number>(rank).fill(1),
      group: options.group ?? 1,
      kernel_shape: kernelShape,
      pads: options.pads ?? new Array<number>(2 * rank).fill(0),
      strides: options.strides ?? new Array<number>(rank).fill(1),
    };
  }
}
