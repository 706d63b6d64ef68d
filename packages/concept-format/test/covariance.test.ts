import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConceptFormatError,
  ConceptIoError,
  CovarianceFileError,
  CovarianceMismatchError,
  decodeCovariance,
  encodeCovariance,
  InvalidMetadataError,
  MissingMetadataError,
  NonFiniteValueError,
  readCovariance,
  readSafetensors,
  TensorDTypeError,
  TruncatedFileError,
  UnsupportedFormatVersionError,
  writeCovariance,
  writeSafetensors,
  type AtomicWriteIo,
  type CovarianceData,
} from '@perfusion/concept-format';

const dir = mkdtempSync(join(tmpdir(), 'covariance-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** C = XᵀX/n of a small deterministic X (symmetric, positive semi-definite). */
function sample(dim = 3, fingerprint = 'unet-v1-L4-d3-W160-abc'): CovarianceData {
  const n = 5;
  const x = Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7) + 0.25 * (i % 3));
  const matrix = new Float64Array(dim * dim);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dim; i++) {
      mean[i] += x[r * dim + i]! / n;
      for (let j = 0; j < dim; j++) matrix[i * dim + j] += (x[r * dim + i]! * x[r * dim + j]!) / n;
    }
  }
  return { matrix, dim, count: n, fingerprint, captions: 2, mean, corpus: 'test:5' };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('covariance files', () => {
  it('round-trip float64 exactly, with every metadata field', async () => {
    const data = sample();
    const path = join(dir, 'c64.safetensors');
    const { byteLength } = await writeCovariance(path, data);
    const back = await readCovariance(path, { fingerprint: data.fingerprint, dim: 3 });
    expect(back).toMatchObject({ formatVersion: 1, dtype: 'float64', dim: 3, count: 5, captions: 2, fingerprint: data.fingerprint, corpus: 'test:5' });
    expect(back.createdBy).toBe('@perfusion/concept-format');
    expect([...back.matrix]).toEqual([...data.matrix]);
    expect([...back.mean!]).toEqual([...data.mean!]);
    const container = readSafetensors(encodeCovariance(data));
    expect(container.byteLength).toBe(byteLength);
    expect(container.tensor('covariance')).toMatchObject({ dtype: 'F64', shape: [3, 3] });
    expect(container.metadata).toMatchObject({ format: 'perfusion-covariance', format_version: '1', dim: '3', count: '5', captions: '2', dtype: 'float64' });
  });

  it('round-trip float32 as the nearest float32 values (half the size)', async () => {
    const data = sample();
    const bytes64 = encodeCovariance(data);
    const bytes32 = encodeCovariance(data, { dtype: 'float32' });
    const back = decodeCovariance(bytes32);
    expect(back.dtype).toBe('float32');
    expect([...back.matrix]).toEqual([...data.matrix].map(Math.fround));
    expect(bytes64.length - bytes32.length).toBe((9 + 3) * 4);
  });

  it('leave the mean and corpus out when not given', () => {
    const { mean: _mean, corpus: _corpus, ...rest } = sample();
    const back = decodeCovariance(encodeCovariance(rest));
    expect(back.mean).toBeUndefined();
    expect(back.corpus).toBeUndefined();
  });

  it("refuse another model's covariance with a typed error naming the file and both fingerprints", async () => {
    const path = join(dir, 'other.safetensors');
    await writeCovariance(path, sample(3, 'unet-v1-other'));
    const error = await readCovariance(path, { fingerprint: 'unet-v1-mine' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CovarianceMismatchError);
    expect(error).toBeInstanceOf(ConceptFormatError);
    expect(error).toMatchObject({ file: path, field: '__metadata__.fingerprint', found: 'unet-v1-other', expected: 'unet-v1-mine' });
    expect((error as Error).message).toMatch(/^.*other\.safetensors: __metadata__\.fingerprint: the covariance was computed for another model/);
    expect((error as Error).message).toContain('perfusion covariance --model DIR');
    const wrongDim = await readCovariance(path, { dim: 768 }).catch((e: unknown) => e);
    expect(wrongDim).toBeInstanceOf(CovarianceMismatchError);
    expect(wrongDim).toMatchObject({ field: '__metadata__.dim', found: 3, expected: 768 });
  });

  it('refuse to write what the reader would refuse, before touching the disk', async () => {
    const data = sample();
    const asymmetric = { ...data, matrix: Float64Array.from(data.matrix) };
    asymmetric.matrix[1] += 0.5;
    expect(messageOf(() => encodeCovariance(asymmetric))).toMatch(/covariance: is not symmetric: entry \[0, 1\]/);
    expect(() => encodeCovariance(asymmetric)).toThrow(CovarianceFileError);
    const negative = { ...data, matrix: Float64Array.from(data.matrix) };
    negative.matrix[4] = -1;
    expect(messageOf(() => encodeCovariance(negative))).toMatch(/diagonal entry 1 is -1/);
    const nan = { ...data, matrix: Float64Array.from(data.matrix) };
    nan.matrix[2] = NaN;
    expect(() => encodeCovariance(nan)).toThrow(NonFiniteValueError);
    expect(messageOf(() => encodeCovariance({ ...data, matrix: new Float64Array(8) }))).toMatch(/covariance: has 8 values; expected 9/);
    expect(messageOf(() => encodeCovariance({ ...data, fingerprint: '' }))).toMatch(/__metadata__\.fingerprint: must be the base model's fingerprint/);
    expect(messageOf(() => encodeCovariance({ ...data, count: 0 }))).toMatch(/__metadata__\.count: must be an integer >= 1/);
    expect(messageOf(() => encodeCovariance({ ...data, dim: 2.5 }))).toMatch(/__metadata__\.dim: must be an integer >= 1/);
    const huge = { ...data, matrix: Float64Array.from(data.matrix, (v, i) => (i === 0 ? 1e300 : v)) };
    expect(messageOf(() => encodeCovariance(huge, { dtype: 'float32' }))).toMatch(/overflows float32/);
    const path = join(dir, 'never.safetensors');
    await expect(writeCovariance(path, asymmetric)).rejects.toThrow(CovarianceFileError);
    expect(existsSync(path)).toBe(false);
  });

  it('write atomically: a failed rename leaves neither the file nor a temp file', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const failing: AtomicWriteIo = {
      writeNew: async (p, bytes) => writeFileSync(p, bytes, { flag: 'wx' }),
      rename: async () => {
        throw new Error('disk full (simulated)');
      },
      unlink: async (p) => rmSync(p),
    };
    await expect(writeCovariance(join(sub, 'c.safetensors'), sample(), { io: failing })).rejects.toThrow(ConceptIoError);
    expect(readdirSync(sub)).toEqual([]);
  });

  describe('reading damaged or foreign files', () => {
    const good = encodeCovariance(sample());
    const rewrite = (metadata: Record<string, string>, tensors?: Parameters<typeof writeSafetensors>[0]) => {
      const container = readSafetensors(good);
      const list = tensors ?? container.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, bytes: t.bytes }] as const);
      return writeSafetensors(list, { ...container.metadata, ...metadata });
    };

    it('a truncated file', () => {
      expect(() => decodeCovariance(good.subarray(0, good.length - 3), { source: 'c.safetensors' })).toThrow(TruncatedFileError);
    });
    it('a concept file or other safetensors file', () => {
      const other = writeSafetensors({ x: { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) } });
      expect(messageOf(() => decodeCovariance(other, { source: 'x.safetensors' }))).toMatch(/^x\.safetensors: __metadata__\.format: missing: this safetensors file is not a Perfusion covariance/);
      expect(() => decodeCovariance(rewrite({ format: 'perfusion-concept' }))).toThrow(InvalidMetadataError);
    });
    it('a newer format version', () => {
      expect(() => decodeCovariance(rewrite({ format_version: '2' }))).toThrow(UnsupportedFormatVersionError);
    });
    it('missing or malformed metadata', () => {
      const container = readSafetensors(good);
      const { count: _count, ...withoutCount } = container.metadata;
      const tensors = container.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, bytes: t.bytes }] as const);
      expect(() => decodeCovariance(writeSafetensors(tensors, withoutCount))).toThrow(MissingMetadataError);
      expect(messageOf(() => decodeCovariance(rewrite({ dim: '03' })))).toMatch(/__metadata__\.dim: must be an integer >= 1 written in decimal/);
      expect(messageOf(() => decodeCovariance(rewrite({ dtype: 'float16' })))).toMatch(/__metadata__\.dtype: must be 'float64' or 'float32'/);
    });
    it('a tensor in another dtype or shape than the metadata says', () => {
      expect(() => decodeCovariance(rewrite({ dtype: 'float32' }))).toThrow(TensorDTypeError);
      expect(messageOf(() => decodeCovariance(rewrite({ dim: '2' })))).toMatch(/covariance\.shape: is \[3, 3\] but __metadata__\.dim = 2/);
    });
    it('an unexpected tensor', () => {
      const container = readSafetensors(good);
      const tensors = [...container.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, bytes: t.bytes }] as const), ['extra', { dtype: 'F64' as const, shape: [1], bytes: new Uint8Array(8) }] as const];
      expect(messageOf(() => decodeCovariance(writeSafetensors(tensors, container.metadata)))).toMatch(/extra: unexpected tensor/);
    });
    it('a file that does not exist', async () => {
      await expect(readCovariance(join(dir, 'missing.safetensors'))).rejects.toThrow(ConceptIoError);
    });
  });
});

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./golden/read_covariance.py', import.meta.url));
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(hasNumpy)('an independent Python reader and writer (test/golden/read_covariance.py)', () => {
  it.each(['float64', 'float32'] as const)('reads what we write in %s', async (dtype) => {
    const data = sample(4);
    const path = join(dir, `for-python-${dtype}.safetensors`);
    await writeCovariance(path, data, { dtype });
    const out = JSON.parse(execFileSync(PYTHON, [script, 'read', path], { encoding: 'utf8' })) as {
      metadata: Record<string, string>;
      matrix: number[];
      mean: number[];
      symmetric: boolean;
      min_eigenvalue: number;
    };
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    expect(out.matrix).toEqual([...data.matrix].map(round));
    expect(out.mean).toEqual([...data.mean!].map(round));
    expect(out.symmetric).toBe(true);
    expect(out.min_eigenvalue).toBeGreaterThan(-1e-6);
    expect(out.metadata).toMatchObject({ fingerprint: data.fingerprint, dim: '4', count: '5', captions: '2' });
  });

  it.each(['float64', 'float32'] as const)('we read a file it laid out by hand in %s', async (dtype) => {
    const path = join(dir, `from-python-${dtype}.safetensors`);
    const written = JSON.parse(execFileSync(PYTHON, [script, 'write', path, '6', '3', dtype], { encoding: 'utf8' })) as { matrix: number[]; mean: number[] };
    const back = await readCovariance(path, { fingerprint: 'python-handbuilt', dim: 6 });
    expect(back).toMatchObject({ dim: 6, count: 40, captions: 4, dtype });
    expect([...back.matrix]).toEqual(written.matrix);
    expect([...back.mean!]).toEqual(written.mean);
  });
});
