import type { DType } from '../dtype.js';
import { DTYPE_BYTES, viewTypedArray } from '../dtype.js';
import { NpyFormatError } from '../errors.js';
import { Tensor } from '../tensor.js';

const MAGIC = '\x93NUMPY';

/** NumPy dtype descriptors and the {@link DType} that stores each (little-endian, or byte-sized). */
const DESCRIPTORS: Readonly<Record<string, DType>> = {
  '<f4': 'float32',
  '<f2': 'float16',
  '<i8': 'int64',
  '<i4': 'int32',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '|b1': 'bool',
  '<b1': 'bool',
};

/**
 * The array in NumPy `.npy` bytes (format versions 1 to 3, as `np.save` writes them) as a
 * {@link Tensor}: C-ordered little-endian `float32`, `float16` (raw half bits), `int64`, `int32`,
 * `uint8` or `bool`. The data are copied into a fresh, aligned buffer. Golden values recorded with
 * NumPy or PyTorch (`np.save(path, t.numpy())`) come in this way.
 *
 * @param source names the bytes in error messages (usually the file path).
 * @throws NpyFormatError when the bytes are not a `.npy` file, the array is Fortran-ordered or
 *   big-endian, its dtype has no tensor counterpart (e.g. float64: save it as float32), or the
 *   data are shorter than the shape says.
 */
export function readNpy(bytes: Uint8Array, source = '.npy data'): Tensor {
  const text = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length < 10 || text(0, 6) !== MAGIC) throw new NpyFormatError(source, 'not a .npy file (it does not start with "\\x93NUMPY")');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyFormatError(source, `.npy format version ${major} is not supported (1 to 3 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new NpyFormatError(source, 'the .npy header is cut off');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw new NpyFormatError(source, 'the .npy header is cut off');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined || fortran === undefined) {
    throw new NpyFormatError(source, `cannot read the .npy header ${JSON.stringify(header.trim())} (expected 'descr', 'fortran_order' and 'shape')`);
  }
  if (fortran === 'True') throw new NpyFormatError(source, 'the array is in Fortran order; save a C-ordered copy (np.ascontiguousarray)');
  const dtype = DESCRIPTORS[descr];
  if (dtype === undefined) {
    throw new NpyFormatError(
      source,
      `NumPy dtype '${descr}' has no tensor counterpart; save the array as little-endian float32, float16, int64, int32, uint8 or bool`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NpyFormatError(source, `the .npy shape (${shapeText}) is not a list of sizes`);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * DTYPE_BYTES[dtype];
  if (bytes.length - dataStart < byteLength) {
    throw new NpyFormatError(source, `the shape [${shape.join(', ')}] needs ${byteLength} bytes of ${descr} data but the file has ${bytes.length - dataStart}`);
  }
  // A copy, aligned at offset 0 (new Uint8Array copies; Buffer's slice would not).
  const payload = new Uint8Array(bytes.subarray(dataStart, dataStart + byteLength));
  return new Tensor(dtype, viewTypedArray(dtype, payload.buffer, 0, count), shape);
}
