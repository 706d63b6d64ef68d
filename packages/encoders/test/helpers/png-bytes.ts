import * as zlib from 'node:zlib';

/**
 * A PNG written by hand from the PNG specification (signature, IHDR, optional PLTE, one zlib IDAT
 * with filter type 0 on every row, IEND), independent of the PNG library under test.
 * `rows` hold each row's raw samples, big-endian for 16-bit images.
 */
export function handMadePng(options: { width: number; height: number; colorType: 0 | 2 | 3 | 4 | 6; bitDepth: 8 | 16; rows: Uint8Array[]; palette?: number[][] }): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    typeAndData.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(typeAndData), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(options.width, 0);
  ihdr.writeUInt32BE(options.height, 4);
  ihdr[8] = options.bitDepth;
  ihdr[9] = options.colorType;
  const raw = Buffer.concat(options.rows.map((row) => Buffer.concat([Buffer.from([0]), Buffer.from(row)])));
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (options.palette !== undefined) parts.push(chunk('PLTE', Uint8Array.from(options.palette.flat())));
  parts.push(chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(parts));
}
