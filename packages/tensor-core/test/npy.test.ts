import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NpyFormatError, readNpy, TensorCoreError } from '../src/index.js';

// Arrays saved by NumPy itself (test/golden/npy_files.py), with what readNpy must return.
const golden = JSON.parse(readFileSync(new URL('./golden/npy-files.json', import.meta.url), 'utf8')) as {
  cases: { name: string; npy: string; dtype: string; shape: number[]; values: (number | string)[] }[];
  errors: { name: string; npy: string; error: string }[];
};
const bytesOf = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

describe('readNpy', () => {
  it.each(golden.cases)('reads what np.save wrote: $name', ({ npy, dtype, shape, values }) => {
    const tensor = readNpy(bytesOf(npy), 'golden.npy');
    expect(tensor.dtype).toBe(dtype);
    expect(tensor.shape).toEqual(shape);
    const data = [...tensor.data].map((v) => (typeof v === 'bigint' ? String(v) : v));
    if (dtype === 'float32') expect(data).toEqual(values.map((v) => Math.fround(v as number)));
    else expect(data).toEqual(values);
  });

  it('copies the data into an aligned buffer of its own', () => {
    const source = bytesOf(golden.cases[0]!.npy);
    const shifted = new Uint8Array(source.length + 1);
    shifted.set(source, 1); // data no longer 4-byte aligned in the caller's buffer
    const tensor = readNpy(shifted.subarray(1));
    expect(tensor.data.buffer).not.toBe(shifted.buffer);
    expect(tensor.data.byteOffset).toBe(0);
    expect([...tensor.data]).toEqual([...readNpy(source).data]);
  });

  it('reads a Node Buffer that views part of a larger pool (as fs.readFileSync can return)', () => {
    const file = Buffer.from(golden.cases[0]!.npy, 'base64');
    const pooled = Buffer.concat([Buffer.alloc(3, 7), file]).subarray(3);
    expect(pooled.byteOffset).toBeGreaterThan(0); // Buffer.concat itself allocates from the pool
    const tensor = readNpy(pooled);
    expect([...tensor.data]).toEqual([...readNpy(bytesOf(golden.cases[0]!.npy)).data]);
    expect([...tensor.data]).toEqual(golden.cases[0]!.values.map((v) => Math.fround(v as number)));
  });

  it.each(golden.errors)('refuses $name, saying why', ({ npy, error }) => {
    expect(() => readNpy(bytesOf(npy), 'x.npy')).toThrow(NpyFormatError);
    expect(() => readNpy(bytesOf(npy), 'x.npy')).toThrow(`x.npy: `);
    expect(() => readNpy(bytesOf(npy), 'x.npy')).toThrow(error);
  });

  it('refuses bytes that are not a .npy file, or cut short', () => {
    const good = bytesOf(golden.cases[0]!.npy);
    const error = (bytes: Uint8Array) => {
      try {
        readNpy(bytes, 'f.npy');
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    expect(error(new TextEncoder().encode('PK\x03\x04 a zip file'))).toBeInstanceOf(TensorCoreError);
    expect((error(new TextEncoder().encode('PK\x03\x04 a zip file')) as Error).message).toMatch(/^f\.npy: not a \.npy file/);
    expect((error(good.subarray(0, 40)) as Error).message).toMatch(/^f\.npy: the \.npy header is cut off/);
    expect((error(good.subarray(0, good.length - 4)) as Error).message).toBe(
      `f.npy: the shape [2, 3, 4] needs 96 bytes of <f4 data but the file has 92`,
    );
    const v9 = good.slice();
    v9[6] = 9;
    expect((error(v9) as Error).message).toMatch(/format version 9 is not supported/);
  });
});
