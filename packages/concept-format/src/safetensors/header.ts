import {
  HeaderTooLargeError,
  MalformedHeaderError,
  TensorDTypeError,
  TensorLayoutError,
  TruncatedFileError,
} from '../errors.js';
import { describeJson, JsonNumber, JsonSyntaxError, parseJsonPrefix, type JsonValue } from '../json/strict-json.js';
import { isSafetensorsDType, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_DTYPES, type SafetensorsDType } from './dtypes.js';

/** The reference implementation's header size limit (100 MB). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** One tensor's header entry, with offsets relative to the start of the data buffer. */
export interface SafetensorsEntryInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Offset of the first byte in the data buffer (which starts at `8 + headerByteLength`). */
  readonly begin: number;
  /** One past the last byte. */
  readonly end: number;
}

export interface SafetensorsHeader {
  /** N: the header's length in bytes, padding included. */
  readonly headerByteLength: number;
  /** Length of the data buffer: the file length minus 8 + N. */
  readonly dataByteLength: number;
  /** `__metadata__` entries in file order (absent: empty). */
  readonly metadata: ReadonlyMap<string, string>;
  /** Tensors sorted by offset. */
  readonly entries: readonly SafetensorsEntryInfo[];
}

const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads and validates the 8-byte size prefix and the JSON header of a safetensors file held in
 * `bytes`, and checks that the tensors' offsets tile the data buffer exactly. Every check of the
 * spec (docs/concept-format.md, "Container") is made here; the data itself is not looked at.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, file: string, maxHeaderBytes = SAFETENSORS_MAX_HEADER_BYTES): SafetensorsHeader {
  if (bytes.length < 8) throw new TruncatedFileError(file, 'header size', 8, bytes.length, 'the 8-byte header size');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const announced = view.getBigUint64(0, true);
  if (announced > BigInt(maxHeaderBytes)) throw new HeaderTooLargeError(file, announced, maxHeaderBytes);
  const n = Number(announced);
  if (8 + n > bytes.length) throw new TruncatedFileError(file, 'header', 8 + n, bytes.length, `the ${n}-byte header announced by the first 8 bytes`);
  if (n < 2) throw new MalformedHeaderError(file, 'header', `the header is ${n} bytes long, too short for a JSON object`);

  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new MalformedHeaderError(file, 'header', 'the header is not valid UTF-8');
  }
  if (text[0] !== '{') throw new MalformedHeaderError(file, 'header', `the header must start with '{' but starts with ${JSON.stringify(text.slice(0, 8))}`);

  let root: JsonValue;
  let end: number;
  try {
    ({ value: root, end } = parseJsonPrefix(text));
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      const field = error.path.length > 0 ? error.path.join('.') : 'header';
      throw new MalformedHeaderError(file, field, `the header is not valid JSON: ${error.reason} (character ${error.offset})`);
    }
    throw error;
  }
  for (let i = end; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x20) {
      throw new MalformedHeaderError(file, 'header', `only spaces may follow the header's JSON object, found ${JSON.stringify(text[i])} at character ${i}`);
    }
  }
  if (!(root instanceof Map)) throw new MalformedHeaderError(file, 'header', 'the header must be a JSON object');

  const metadata = new Map<string, string>();
  const entries: SafetensorsEntryInfo[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') {
      readMetadata(file, value, metadata);
    } else {
      entries.push(readEntry(file, name, value));
    }
  }

  const dataByteLength = bytes.length - 8 - n;
  checkTiling(file, entries, dataByteLength, 8 + n);
  return { headerByteLength: n, dataByteLength, metadata, entries };
}

function readMetadata(file: string, value: JsonValue, into: Map<string, string>): void {
  if (!(value instanceof Map)) throw new MalformedHeaderError(file, '__metadata__', `must be an object of strings, found ${describeJson(value)}`);
  for (const [key, item] of value) {
    if (typeof item !== 'string') {
      throw new MalformedHeaderError(file, `__metadata__.${key}`, `metadata values must be strings, found ${describeJson(item)}`);
    }
    into.set(key, item);
  }
}

function readEntry(file: string, name: string, value: JsonValue): SafetensorsEntryInfo {
  if (!(value instanceof Map)) throw new MalformedHeaderError(file, name, `a tensor entry must be an object, found ${describeJson(value)}`);
  for (const key of value.keys()) {
    if (!ENTRY_FIELDS.has(key)) throw new MalformedHeaderError(file, `${name}.${key}`, `unknown field in a tensor entry (allowed: dtype, shape, data_offsets)`);
  }
  const dtype = value.get('dtype');
  if (dtype === undefined) throw new MalformedHeaderError(file, `${name}.dtype`, 'missing');
  if (typeof dtype !== 'string') throw new MalformedHeaderError(file, `${name}.dtype`, `must be a string, found ${describeJson(dtype)}`);
  if (!isSafetensorsDType(dtype)) {
    throw new TensorDTypeError(file, `${name}.dtype`, dtype, SAFETENSORS_DTYPES, 'it is not a safetensors dtype this reader supports.');
  }
  const shape = value.get('shape');
  if (shape === undefined) throw new MalformedHeaderError(file, `${name}.shape`, 'missing');
  if (!Array.isArray(shape)) throw new MalformedHeaderError(file, `${name}.shape`, `must be an array of non-negative integers, found ${describeJson(shape)}`);
  const dims = shape.map((d, i) => nonNegativeInteger(file, `${name}.shape[${i}]`, d));
  const offsets = value.get('data_offsets');
  if (offsets === undefined) throw new MalformedHeaderError(file, `${name}.data_offsets`, 'missing');
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new MalformedHeaderError(file, `${name}.data_offsets`, `must be [begin, end], found ${describeJson(offsets)}${Array.isArray(offsets) ? ` of length ${offsets.length}` : ''}`);
  }
  const begin = nonNegativeInteger(file, `${name}.data_offsets[0]`, offsets[0]!);
  const end = nonNegativeInteger(file, `${name}.data_offsets[1]`, offsets[1]!);
  if (end < begin) throw new TensorLayoutError(file, `${name}.data_offsets`, `end ${end} is before begin ${begin}`);

  let elements = 1;
  for (const d of dims) elements *= d;
  const expected = elements * SAFETENSORS_DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(expected)) throw new TensorLayoutError(file, `${name}.shape`, `shape [${dims.join(', ')}] is too large to address`);
  if (end - begin !== expected) {
    throw new TensorLayoutError(
      file,
      `${name}.data_offsets`,
      `shape [${dims.join(', ')}] of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: Object.freeze(dims), begin, end };
}

function nonNegativeInteger(file: string, field: string, value: JsonValue): number {
  if (!(value instanceof JsonNumber) || !value.isIntegerLiteral || value.value < 0 || !Number.isSafeInteger(value.value)) {
    throw new MalformedHeaderError(file, field, `must be a non-negative integer (written without fraction or exponent), found ${describeJson(value)}`);
  }
  return value.value;
}

/** Sorts entries by offset and checks they cover [0, dataByteLength) exactly, without gaps or overlaps. */
function checkTiling(file: string, entries: SafetensorsEntryInfo[], dataByteLength: number, dataStart: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsEntryInfo | undefined;
  for (const entry of entries) {
    if (entry.begin < cursor) {
      throw new TensorLayoutError(
        file,
        `${entry.name}.data_offsets`,
        `bytes [${entry.begin}, ${entry.end}) overlap tensor '${previous!.name}' at [${previous!.begin}, ${previous!.end})`,
      );
    }
    if (entry.begin > cursor) {
      throw new TensorLayoutError(
        file,
        `${entry.name}.data_offsets`,
        `there is a gap of ${entry.begin - cursor} bytes before this tensor (bytes [${cursor}, ${entry.begin}) belong to no tensor)`,
      );
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor > dataByteLength) {
    throw new TruncatedFileError(
      file,
      `${previous!.name}.data_offsets`,
      dataStart + cursor,
      dataStart + dataByteLength,
      `the tensor data (${cursor} bytes after the ${dataStart}-byte size prefix and header)`,
    );
  }
  if (cursor < dataByteLength) {
    throw new TensorLayoutError(file, 'data', `the data buffer has ${dataByteLength - cursor} bytes after the last tensor that belong to no tensor`);
  }
}
