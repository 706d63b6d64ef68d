export { GraphBuilder } from './graph-builder.js';
export type {
  ConvOptions,
  ConvTransposeOptions,
  GroupNormOptions,
  LayerNormOptions,
  ResizeOptions,
} from './graph-builder.js';
export type { ConstantValues, Dims, GraphBuilderOptions, OpOptions } from './core.js';
export type { GemmOptions } from './math-ops.js';
export type { IntsLike } from './shape-ops.js';
export type { FloatDType, Value, ValueLike } from './value.js';
export { attr, toAttributeProto, toAttributeProtos } from './attributes.js';
export type { AttributeValue, Attributes, TypedAttribute } from './attributes.js';
export { GraphBuilderError } from './errors.js';
