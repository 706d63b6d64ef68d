/**
 * The format and pixel size of an image from its first bytes, read before decoding so that a huge
 * image is refused before a decoder allocates memory for it.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the header says; `width`/`height` are undefined when the header does not get that far. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  readonly width: number | undefined;
  readonly height: number | undefined;
}

/** The header of PNG or JPEG bytes (recognised by content, not by file name); `undefined` for anything else. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return pngHeader(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes);
  return undefined;
}

/** IHDR is always the first chunk: signature (8), length (4), "IHDR" (4), width (4), height (4). */
function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 24) return { format: 'png', width: undefined, height: undefined };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Walks the marker segments up to the first start-of-frame (SOF0..SOF15 except DHT 0xC4, JPG 0xC8
 * and DAC 0xCC), whose payload is precision (1), height (2), width (2).
 */
function jpegHeader(bytes: Uint8Array): ImageHeader {
  const unknown: ImageHeader = { format: 'jpeg', width: undefined, height: undefined };
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return unknown;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return unknown; // scan data or end before any frame
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 > bytes.length) return unknown;
      return { format: 'jpeg', height: (bytes[offset + 5]! << 8) | bytes[offset + 6]!, width: (bytes[offset + 7]! << 8) | bytes[offset + 8]! };
    }
    offset += 2 + length;
  }
  return unknown;
}
