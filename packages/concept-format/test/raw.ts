/**
 * Builds safetensors bytes by hand (not with our writer), so tests can make every kind of broken file.
 */

/** 8-byte little-endian `headerText.length` (or `announce`), the header's UTF-8 bytes, then `data`. */
export function rawFile(headerText: string | Uint8Array, data: Uint8Array = new Uint8Array(0), announce?: bigint): Uint8Array {
  const header = typeof headerText === 'string' ? new TextEncoder().encode(headerText) : headerText;
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, announce ?? BigInt(header.length), true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

/** Splits a safetensors file into its parsed header (plain JSON.parse) and data buffer. */
export function splitFile(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
  return { header, data: bytes.slice(8 + n) };
}

/** Re-assembles a file after `edit` changed its header object and/or data. */
export function editFile(
  bytes: Uint8Array,
  edit: (header: Record<string, any>, data: Uint8Array) => Uint8Array | void,
): Uint8Array {
  const { header, data } = splitFile(bytes);
  const newData = edit(header, data) ?? data;
  return rawFile(JSON.stringify(header), newData);
}

/** Edits one `__metadata__` entry (undefined deletes it). */
export function editMetadata(bytes: Uint8Array, key: string, value: string | undefined): Uint8Array {
  return editFile(bytes, (header) => {
    if (value === undefined) delete header['__metadata__'][key];
    else header['__metadata__'][key] = value;
  });
}

/** Little-endian float32 bytes. */
export function f32(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}
