import { Tensor } from '@perfusion/tensor-core';
import { HeaderTooLargeError, MalformedHeaderError, TensorDTypeError, TensorLayoutError } from '../errors.js';
import { isSafetensorsDType, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_DTYPES, type SafetensorsDType } from './dtypes.js';
import { SAFETENSORS_MAX_HEADER_BYTES } from './header.js';
import { tensorBytes } from './tensor-data.js';

/** Raw tensor data for {@link writeSafetensors}: little-endian bytes with their dtype and shape. */
export interface RawSafetensorsTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export type SafetensorsTensorInput = Tensor | RawSafetensorsTensor;

export interface WriteSafetensorsOptions {
  /** The label errors name (the destination path, say); default `'<output>'`. */
  target?: string;
}

/**
 * Serialises tensors and string metadata to safetensors bytes.
 *
 * Layout: the 8-byte little-endian header length N, the compact JSON header (`__metadata__` first,
 * then one entry per tensor) padded with spaces to a multiple of 8 bytes, then the tensors' bytes
 * back to back. Tensors are stored by decreasing element size (so each starts at a multiple of its
 * element size) and otherwise in the order given; metadata keys keep the order given. The output is
 * a pure function of the input, byte for byte.
 */
export function writeSafetensors(
  tensors: Iterable<readonly [string, SafetensorsTensorInput]> | Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const target = options.target ?? '<output>';
  const list = isIterable(tensors) ? [...tensors] : Object.entries(tensors);
  const seen = new Set<string>();
  const prepared = list.map(([name, input], index) => {
    if (name === '__metadata__') throw new MalformedHeaderError(target, name, "'__metadata__' is reserved and cannot name a tensor");
    if (seen.has(name)) throw new MalformedHeaderError(target, name, 'duplicate tensor name');
    seen.add(name);
    return { name, index, ...normalise(target, name, input) };
  });
  prepared.sort((a, b) => SAFETENSORS_DTYPE_BYTES[b.dtype] - SAFETENSORS_DTYPE_BYTES[a.dtype] || a.index - b.index);

  const parts: string[] = [];
  const meta = metadata instanceof Map ? [...metadata] : Object.entries(metadata ?? {});
  if (meta.length > 0) {
    const items = meta.map(([key, value]) => {
      if (typeof value !== 'string') throw new MalformedHeaderError(target, `__metadata__.${key}`, `metadata values must be strings, got ${typeof value}`);
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    parts.push(`"__metadata__":{${items.join(',')}}`);
  }
  let offset = 0;
  for (const t of prepared) {
    const end = offset + t.bytes.length;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) throw new HeaderTooLargeError(target, headerLength, SAFETENSORS_MAX_HEADER_BYTES);

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of prepared) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  return out;
}

function normalise(target: string, name: string, input: SafetensorsTensorInput): RawSafetensorsTensor {
  if (input instanceof Tensor) {
    const { dtype, bytes } = tensorBytes(input);
    return { dtype, shape: [...input.shape], bytes };
  }
  if (!isSafetensorsDType(input.dtype)) {
    throw new TensorDTypeError(target, `${name}.dtype`, String(input.dtype), SAFETENSORS_DTYPES, 'use one of the safetensors dtype names.');
  }
  let elements = 1;
  for (const d of input.shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TensorLayoutError(target, `${name}.shape`, `dimension ${String(d)} is not a non-negative integer`);
    elements *= d;
  }
  const expected = elements * SAFETENSORS_DTYPE_BYTES[input.dtype];
  if (input.bytes.length !== expected) {
    throw new TensorLayoutError(
      target,
      `${name}.bytes`,
      `shape [${input.shape.join(', ')}] of ${input.dtype} needs ${expected} bytes but ${input.bytes.length} were given`,
    );
  }
  return { dtype: input.dtype, shape: [...input.shape], bytes: input.bytes };
}

function isIterable<T>(value: unknown): value is Iterable<T> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
