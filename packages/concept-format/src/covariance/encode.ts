import { InvalidMetadataError, NonFiniteValueError } from '../errors.js';
import { writeSafetensors, type RawSafetensorsTensor } from '../safetensors/write.js';
import { checkCovarianceMatrix, checkInteger, describe } from './checks.js';
import { CovarianceFileError } from './errors.js';
import {
  COVARIANCE_FORMAT,
  COVARIANCE_FORMAT_VERSION,
  COVARIANCE_METADATA_KEYS as KEY,
  COVARIANCE_TENSORS as TENSOR,
  DEFAULT_COVARIANCE_CREATED_BY,
} from './layout.js';
import type { CovarianceData, CovarianceDType } from './types.js';

export interface EncodeCovarianceOptions {
  /** Element type of the stored tensors; default `'float64'` (C⁻¹ amplifies rounding: keep the precision). */
  dtype?: CovarianceDType;
  /** The label errors name (the destination path, say); default `'<covariance>'`. */
  target?: string;
}

const NON_FINITE_INPUT = 'covariance values must be finite; check the text encoder outputs it was computed from.';

/**
 * Serialises a covariance to the bytes of a covariance file: a safetensors file with the tensor
 * `covariance` [d, d] (and `mean` [d] when given) in F64 or F32, and string metadata (format,
 * version, fingerprint, dim, count, captions, corpus, dtype, created_by). Everything is checked
 * first — fingerprint, counts, the matrix's length, finiteness, symmetry and diagonal — with the
 * errors the reader throws, so nothing invalid is written. Deterministic, byte for byte.
 */
export function encodeCovariance(data: CovarianceData, options: EncodeCovarianceOptions = {}): Uint8Array {
  const file = options.target ?? '<covariance>';
  const dtype = options.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new InvalidMetadataError(file, KEY.dtype, `must be 'float64' or 'float32', got ${describe(dtype)}.`);
  }
  if (typeof data !== 'object' || data === null) throw new CovarianceFileError(file, 'covariance', `expected { matrix, dim, count, fingerprint, captions }, got ${describe(data)}.`);
  const fingerprint = data.fingerprint;
  if (typeof fingerprint !== 'string' || fingerprint === '') {
    throw new InvalidMetadataError(file, KEY.fingerprint, `must be the base model's fingerprint (a non-empty string), got ${describe(fingerprint)}.`);
  }
  const dim = checkInteger(file, `__metadata__.${KEY.dim}`, data.dim, 1, 'the text encoding width d');
  const count = checkInteger(file, `__metadata__.${KEY.count}`, data.count, 1, 'the number of encodings averaged');
  const captions = checkInteger(file, `__metadata__.${KEY.captions}`, data.captions, 0, 'the number of captions encoded');
  for (const [key, value] of [
    [KEY.corpus, data.corpus],
    [KEY.createdBy, data.createdBy],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') throw new InvalidMetadataError(file, key, `must be a string when given, got ${describe(value)}.`);
  }

  const matrix = checkVector(file, TENSOR.matrix, data.matrix, dim * dim, `a row-major ${dim} × ${dim} matrix`);
  checkCovarianceMatrix(file, matrix, dim, NON_FINITE_INPUT);
  const tensors: [string, RawSafetensorsTensor][] = [[TENSOR.matrix, raw(file, TENSOR.matrix, matrix, dtype, [dim, dim])]];
  if (data.mean !== undefined) {
    const mean = checkVector(file, TENSOR.mean, data.mean, dim, `the mean encoding (${dim} values)`);
    for (let i = 0; i < mean.length; i++) {
      if (!Number.isFinite(mean[i]!)) throw new NonFiniteValueError(file, TENSOR.mean, i, mean[i]!, NON_FINITE_INPUT);
    }
    tensors.push([TENSOR.mean, raw(file, TENSOR.mean, mean, dtype, [dim])]);
  }

  const metadata: [string, string][] = [
    [KEY.format, COVARIANCE_FORMAT],
    [KEY.formatVersion, String(COVARIANCE_FORMAT_VERSION)],
    [KEY.fingerprint, fingerprint],
    [KEY.dim, String(dim)],
    [KEY.count, String(count)],
    [KEY.captions, String(captions)],
  ];
  if (data.corpus !== undefined) metadata.push([KEY.corpus, data.corpus]);
  metadata.push([KEY.dtype, dtype], [KEY.createdBy, data.createdBy ?? DEFAULT_COVARIANCE_CREATED_BY]);
  return writeSafetensors(tensors, new Map(metadata), { target: file });
}

function checkVector(file: string, field: string, value: unknown, length: number, what: string): Float64Array | Float32Array {
  if (!(value instanceof Float64Array) && !(value instanceof Float32Array)) {
    throw new CovarianceFileError(file, field, `must be a Float64Array or Float32Array (${what}), got ${describe(value)}.`);
  }
  if (value.length !== length) throw new CovarianceFileError(file, field, `has ${value.length} values; expected ${length} (${what}).`);
  return value;
}

/** Little-endian F64 or F32 bytes; values that overflow float32 are refused. */
function raw(file: string, field: string, values: Float64Array | Float32Array, dtype: CovarianceDType, shape: number[]): RawSafetensorsTensor {
  const width = dtype === 'float64' ? 8 : 4;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (dtype === 'float64') {
      view.setFloat64(i * 8, v, true);
    } else {
      const f = Math.fround(v);
      if (!Number.isFinite(f)) {
        throw new NonFiniteValueError(file, field, i, f, `${v} overflows float32; write the covariance with { dtype: 'float64' }.`);
      }
      view.setFloat32(i * 4, f, true);
    }
  }
  return { dtype: dtype === 'float64' ? 'F64' : 'F32', shape, bytes };
}
