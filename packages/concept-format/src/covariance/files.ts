import { writeFileAtomic, type AtomicWriteIo } from '../atomic-write.js';
import { readBoundedFile } from '../read-bounded-file.js';
import { decodeCovariance } from './decode.js';
import { encodeCovariance } from './encode.js';
import { CovarianceFileError } from './errors.js';
import { COVARIANCE_MAX_FILE_BYTES } from './layout.js';
import type { CovarianceData, CovarianceDType, CovarianceExpectation, CovarianceFile } from './types.js';

export interface WriteCovarianceOptions {
  /** Element type of the stored tensors; default `'float64'`. */
  dtype?: CovarianceDType;
  /** File operations, replaceable to simulate failures (tests); default the real file system. */
  io?: AtomicWriteIo;
}

/**
 * Validates and encodes a covariance (see {@link encodeCovariance}), then writes it to `path`
 * atomically (temp file + rename): an invalid covariance throws before anything touches the disk,
 * and a failed write leaves no temp file and never a half-written `path`.
 */
export async function writeCovariance(path: string, covariance: CovarianceData, options: WriteCovarianceOptions = {}): Promise<{ path: string; byteLength: number }> {
  const bytes = encodeCovariance(covariance, { dtype: options.dtype ?? 'float64', target: path });
  await writeFileAtomic(path, bytes, options.io);
  return { path, byteLength: bytes.length };
}

/**
 * Reads and strictly validates a covariance file (see {@link decodeCovariance}) from a path or its
 * bytes. With `expect.fingerprint` (the model's base-model fingerprint), a covariance computed
 * for another model throws `CovarianceMismatchError`.
 */
export async function readCovariance(pathOrBytes: string | Uint8Array, expect?: CovarianceExpectation): Promise<CovarianceFile> {
  if (typeof pathOrBytes !== 'string') return decodeCovariance(pathOrBytes, expect === undefined ? {} : { expect });
  const path = pathOrBytes;
  const bytes = await readBoundedFile(
    path,
    COVARIANCE_MAX_FILE_BYTES,
    (size) => new CovarianceFileError(path, 'file size', `the file has ${size} bytes, more than a covariance file may have (${COVARIANCE_MAX_FILE_BYTES}); check the path.`),
  );
  return decodeCovariance(bytes, { source: path, ...(expect === undefined ? {} : { expect }) });
}
