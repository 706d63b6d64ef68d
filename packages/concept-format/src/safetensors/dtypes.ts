import type { DType } from '@perfusion/tensor-core';

/**
 * The safetensors dtype names this package reads and writes: every whole-byte dtype of the
 * reference implementation. (The sub-byte F4 / F6_* types of recent releases are refused.)
 */
export const SAFETENSORS_DTYPES = Object.freeze([
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const);

export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDType, number>> = Object.freeze({
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
});

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_BYTES, value);
}

/** tensor-core dtype ⇄ safetensors dtype, for the dtypes both know. */
export const SAFETENSORS_DTYPE_OF: Readonly<Record<DType, SafetensorsDType>> = Object.freeze({
  float32: 'F32',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
});

export const TENSOR_CORE_DTYPE_OF: Readonly<Partial<Record<SafetensorsDType, DType>>> = Object.freeze({
  F32: 'float32',
  F16: 'float16',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  BOOL: 'bool',
});
