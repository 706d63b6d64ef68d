/**
 * A handle to one tensor-valued name in the graph being built: a graph input, an initializer, or
 * an output of a node. Only the builder creates handles; pass them back into its helpers.
 */
export interface Value {
  readonly name: string;
}

/**
 * What op helpers accept as an input: a handle, or a plain number that the builder turns into a
 * scalar constant of its float dtype (so `b.mul(x, 0.5)` works in fp32 and fp16 graphs alike).
 */
export type ValueLike = Value | number;

/** Floating-point dtypes a builder can use for its weights and literal constants. */
export type FloatDType = 'float32' | 'float16';
