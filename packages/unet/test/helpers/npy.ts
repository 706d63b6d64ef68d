import * as fs from 'node:fs';

/** A NumPy array read from a .npy file: its dtype descriptor, shape and data. */
export interface NpyArray {
  readonly descr: string;
  readonly shape: number[];
  readonly data: Float32Array | BigInt64Array | Int32Array;
}

/**
 * Reads a version 1/2 .npy file holding a C-ordered little-endian float32, int64 or int32 array
 * (the fixtures' io_*.npy files). Format: magic "\x93NUMPY", version, header length, a Python-dict
 * header, then the raw data. (The same reader as onnx-graph's test helper.)
 */
export function readNpy(file: string): NpyArray {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file} is not a .npy file`);
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new Error(`${file}: cannot parse header ${header}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order is not supported`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const start = headerStart + headerLength;
  const payload = new Uint8Array(bytes.subarray(start)); // a copy, aligned at offset 0
  const count = shape.reduce((a, b) => a * b, 1);
  switch (descr) {
    case '<f4':
      return { descr, shape, data: new Float32Array(payload.buffer, 0, count) };
    case '<i8':
      return { descr, shape, data: new BigInt64Array(payload.buffer, 0, count) };
    case '<i4':
      return { descr, shape, data: new Int32Array(payload.buffer, 0, count) };
    default:
      throw new Error(`${file}: dtype ${descr} is not supported by this reader`);
  }
}
