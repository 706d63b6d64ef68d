import { parseSafetensorsHeader, SAFETENSORS_MAX_HEADER_BYTES } from './header.js';
import type { SafetensorsDType } from './dtypes.js';

/** One tensor of a parsed safetensors file; `bytes` views the file's bytes (no copy). */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** The tensor's little-endian bytes, a view into the file's bytes. */
  readonly bytes: Uint8Array;
}

/** A parsed, validated safetensors file. */
export interface SafetensorsFile {
  /** The file path or label the errors name. */
  readonly source: string;
  /** Whole file length in bytes. */
  readonly byteLength: number;
  /** N: header length in bytes (JSON + padding), not counting the 8-byte size prefix. */
  readonly headerByteLength: number;
  /** Length of the data buffer that follows the header. */
  readonly dataByteLength: number;
  /** The `__metadata__` string map (empty when absent), in file order. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors in data-offset order. */
  readonly tensors: readonly SafetensorsTensor[];
  /** The tensor called `name`, if any. */
  tensor(name: string): SafetensorsTensor | undefined;
}

export interface ReadSafetensorsOptions {
  /** Largest header accepted, in bytes; default 100,000,000 (the reference implementation's limit). */
  maxHeaderBytes?: number;
}

/**
 * Parses a safetensors file held in memory, validating it strictly (see docs/concept-format.md,
 * "Container"): truncation, header size limit, UTF-8 JSON starting with `{` and padded only with
 * spaces, no duplicate names, string-only metadata, known dtypes, integer shapes and offsets, each
 * tensor's byte size equal to its shape × dtype size, and offsets that tile the data buffer with no
 * gap, overlap or trailing byte. Errors are {@link ConceptFormatError}s naming `source` and the field.
 */
export function readSafetensors(bytes: Uint8Array, source = '<bytes>', options: ReadSafetensorsOptions = {}): SafetensorsFile {
  const header = parseSafetensorsHeader(bytes, source, options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES);
  const dataStart = 8 + header.headerByteLength;
  const tensors = header.entries.map(
    (e): SafetensorsTensor =>
      Object.freeze({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: bytes.subarray(dataStart + e.begin, dataStart + e.end) }),
  );
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return Object.freeze({
    source,
    byteLength: bytes.length,
    headerByteLength: header.headerByteLength,
    dataByteLength: header.dataByteLength,
    metadata: Object.freeze(Object.fromEntries(header.metadata)),
    tensors: Object.freeze(tensors),
    tensor: (name: string) => byName.get(name),
  });
}
