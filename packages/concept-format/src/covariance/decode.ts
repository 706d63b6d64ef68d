import { InvalidMetadataError, MissingMetadataError, NonFiniteValueError, TensorDTypeError, TensorLayoutError, UnsupportedFormatVersionError } from '../errors.js';
import { readSafetensors, type SafetensorsTensor } from '../safetensors/read.js';
import { checkCovarianceMatrix } from './checks.js';
import { CovarianceFileError, CovarianceMismatchError } from './errors.js';
import {
  COVARIANCE_FORMAT,
  COVARIANCE_MAX_FILE_BYTES,
  COVARIANCE_MAX_HEADER_BYTES,
  COVARIANCE_METADATA_KEYS as KEY,
  COVARIANCE_TENSORS as TENSOR,
  SUPPORTED_COVARIANCE_VERSIONS,
} from './layout.js';
import type { CovarianceDType, CovarianceExpectation, CovarianceFile } from './types.js';

export interface DecodeCovarianceOptions {
  /** The label errors name; default `'<bytes>'`. */
  source?: string;
  /** The model it is for: another fingerprint or width throws {@link CovarianceMismatchError}. */
  expect?: CovarianceExpectation;
}

const DAMAGED = 'the file is damaged; compute the covariance again';

/**
 * Parses and validates the bytes of a covariance file: the safetensors container, the metadata
 * (format, version, fingerprint, dim, count, captions, dtype), the tensors (`covariance` [d, d] and
 * the optional `mean` [d], in the metadata's dtype), then the matrix (finite, symmetric,
 * non-negative diagonal) and — with `expect` — the model's fingerprint and width. Values come back
 * as float64.
 */
export function decodeCovariance(bytes: Uint8Array, options: DecodeCovarianceOptions = {}): CovarianceFile {
  const file = options.source ?? '<bytes>';
  if (bytes.length > COVARIANCE_MAX_FILE_BYTES) {
    throw new CovarianceFileError(file, 'file size', `the file has ${bytes.length} bytes, more than a covariance file may have (${COVARIANCE_MAX_FILE_BYTES}); check the path.`);
  }
  const container = readSafetensors(bytes, file, { maxHeaderBytes: COVARIANCE_MAX_HEADER_BYTES });
  const metadata = container.metadata;
  const get = (key: string): string | undefined => (Object.prototype.hasOwnProperty.call(metadata, key) ? metadata[key] : undefined);
  const require = (key: string, what: string): string => {
    const value = get(key);
    if (value === undefined) throw new MissingMetadataError(file, key, `${what}; ${DAMAGED}.`);
    return value;
  };

  const format = get(KEY.format);
  if (format === undefined) {
    throw new MissingMetadataError(file, KEY.format, `this safetensors file is not a Perfusion covariance (a covariance file has format '${COVARIANCE_FORMAT}'); check the path.`);
  }
  if (format !== COVARIANCE_FORMAT) {
    throw new InvalidMetadataError(file, KEY.format, `is ${JSON.stringify(format)}, not '${COVARIANCE_FORMAT}': this safetensors file is not a Perfusion covariance.`);
  }
  const versionText = require(KEY.formatVersion, 'the format version');
  const version = integer(file, KEY.formatVersion, versionText, 0);
  if (!SUPPORTED_COVARIANCE_VERSIONS.includes(version)) {
    throw new UnsupportedFormatVersionError(file, versionText, SUPPORTED_COVARIANCE_VERSIONS);
  }
  const fingerprint = require(KEY.fingerprint, "the base model's fingerprint");
  if (fingerprint === '') throw new InvalidMetadataError(file, KEY.fingerprint, `is empty; ${DAMAGED}.`);
  const dim = integer(file, KEY.dim, require(KEY.dim, 'the encoding width d'), 1);
  const count = integer(file, KEY.count, require(KEY.count, 'the number of encodings averaged'), 1);
  const captions = integer(file, KEY.captions, require(KEY.captions, 'the number of captions'), 0);
  const dtypeText = require(KEY.dtype, 'the dtype');
  if (dtypeText !== 'float64' && dtypeText !== 'float32') {
    throw new InvalidMetadataError(file, KEY.dtype, `must be 'float64' or 'float32', got ${JSON.stringify(dtypeText)}; ${DAMAGED}.`);
  }
  const dtype: CovarianceDType = dtypeText;
  const corpus = get(KEY.corpus);
  const createdBy = get(KEY.createdBy);

  const expect = options.expect;
  if (expect?.fingerprint !== undefined && expect.fingerprint !== fingerprint) {
    throw new CovarianceMismatchError(file, `__metadata__.${KEY.fingerprint}`, fingerprint, expect.fingerprint, 'base-model fingerprint');
  }
  if (expect?.dim !== undefined && expect.dim !== dim) {
    throw new CovarianceMismatchError(file, `__metadata__.${KEY.dim}`, dim, expect.dim, 'text encoding width');
  }

  const known = new Set<string>(Object.values(TENSOR));
  for (const t of container.tensors) {
    if (!known.has(t.name)) throw new CovarianceFileError(file, t.name, `unexpected tensor; a version-1 covariance file holds ${[...known].join(' and ')} only.`);
  }
  const matrixTensor = container.tensor(TENSOR.matrix);
  if (matrixTensor === undefined) throw new CovarianceFileError(file, TENSOR.matrix, `missing: every covariance file holds it; ${DAMAGED}.`);
  const matrix = floats(file, matrixTensor, dtype, [dim, dim]);
  checkCovarianceMatrix(file, matrix, dim, DAMAGED);
  const meanTensor = container.tensor(TENSOR.mean);
  const mean = meanTensor === undefined ? undefined : floats(file, meanTensor, dtype, [dim]);
  if (mean !== undefined) {
    for (let i = 0; i < mean.length; i++) if (!Number.isFinite(mean[i]!)) throw new NonFiniteValueError(file, TENSOR.mean, i, mean[i]!, DAMAGED);
  }

  return {
    formatVersion: version,
    fingerprint,
    dim,
    count,
    captions,
    dtype,
    matrix,
    ...(mean === undefined ? {} : { mean }),
    ...(corpus === undefined ? {} : { corpus }),
    ...(createdBy === undefined ? {} : { createdBy }),
  };
}

function integer(file: string, key: string, text: string, min: number): number {
  const value = /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidMetadataError(file, key, `must be an integer >= ${min} written in decimal, got ${JSON.stringify(text)}; ${DAMAGED}.`);
  }
  return value;
}

/** Decodes a tensor of the file's dtype and the expected shape to float64. */
function floats(file: string, t: SafetensorsTensor, dtype: CovarianceDType, shape: readonly number[]): Float64Array {
  const stored = dtype === 'float64' ? 'F64' : 'F32';
  if (t.dtype !== stored) {
    throw new TensorDTypeError(file, `${t.name}.dtype`, t.dtype, [stored], `__metadata__.dtype says '${dtype}' and every tensor of a covariance file is stored in it; ${DAMAGED}.`);
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new TensorLayoutError(file, `${t.name}.shape`, `is [${t.shape.join(', ')}] but __metadata__.dim = ${shape[0]} makes it [${shape.join(', ')}]`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float64Array(n);
  if (dtype === 'float64') for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
