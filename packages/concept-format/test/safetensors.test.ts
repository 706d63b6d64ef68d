import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor, toFloat16Array } from '@perfusion/tensor-core';
import {
  ConceptFormatError,
  HeaderTooLargeError,
  MalformedHeaderError,
  SAFETENSORS_DTYPE_BYTES,
  TensorDTypeError,
  TensorLayoutError,
  TruncatedFileError,
  readSafetensors,
  toTensor,
  writeSafetensors,
} from '@perfusion/concept-format';
import { f32, rawFile } from './raw.js';

/**
 * Reference vectors: the exact bytes huggingface/safetensors' own tests expect from its serializer
 * (safetensors/src/tensor.rs: test_serialization, test_serialization_forced_alignement, test_empty).
 */
const json = (text: string) => Array.from(new TextEncoder().encode(text));
const le64 = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
const ZERO_TO_FIVE = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];

describe('writeSafetensors', () => {
  it("reproduces the reference implementation's serialisation byte for byte", () => {
    const data = f32([0, 1, 2, 3, 4, 5]);
    expect(Array.from(data)).toEqual(ZERO_TO_FIVE);
    expect(Array.from(writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], bytes: data } }))).toEqual([
      ...le64(64),
      ...json('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'),
      ...ZERO_TO_FIVE,
    ]);
    // A header of 65 bytes is padded with 7 spaces to 72, so the data starts 8-byte aligned.
    expect(Array.from(writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], bytes: data } }))).toEqual([
      ...le64(72),
      ...json('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '),
      ...ZERO_TO_FIVE,
    ]);
    expect(Array.from(writeSafetensors({}))).toEqual([...le64(8), ...json('{}      ')]);
    expect(Array.from(writeSafetensors({}, { framework: 'pt' }))).toEqual([...le64(40), ...json('{"__metadata__":{"framework":"pt"}}     ')]);
  });

  it('round-trips tensor-core tensors of every dtype, scalars and empty tensors', () => {
    const tensors = {
      f32: Tensor.from('float32', [1.5, -2, 3.25, 3.4028234663852886e38 /* float32 max */], [2, 2]),
      f16: new Tensor('float16', toFloat16Array(Float32Array.from([0.1, -65504, 6e-8])), [3]),
      i64: Tensor.from('int64', [1n, -(2n ** 63n), 2n ** 63n - 1n], [3]),
      i32: Tensor.from('int32', [-2147483648, 2147483647], [2]),
      u8: Tensor.from('uint8', [0, 255, 7], [3]),
      bool: Tensor.from('bool', [true, false], [2]),
      scalar: Tensor.from('float32', [42], []),
      empty: Tensor.zeros('float32', [0, 5]),
    };
    const bytes = writeSafetensors(tensors, { note: 'ünïcödé ✓', other: '"quoted"\n' });
    const file = readSafetensors(bytes, 'roundtrip.safetensors');
    expect(file.metadata).toEqual({ note: 'ünïcödé ✓', other: '"quoted"\n' });
    for (const [name, t] of Object.entries(tensors)) {
      const back = toTensor(file.tensor(name)!);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
    }
    // Every tensor starts at a multiple of its element size (larger elements first).
    const dataStart = 8 + file.headerByteLength;
    expect(dataStart % 8).toBe(0);
    for (const t of file.tensors) expect((t.bytes.byteOffset - dataStart) % SAFETENSORS_DTYPE_BYTES[t.dtype]).toBe(0);
    expect(file.tensors.map((t) => t.name)).toEqual(['i64', 'f32', 'i32', 'scalar', 'empty', 'f16', 'u8', 'bool']);
  });

  it('refuses what would make an invalid file', () => {
    expect(() => writeSafetensors({ __metadata__: Tensor.zeros('float32', [1]) })).toThrow(/'__metadata__' is reserved/);
    expect(() => writeSafetensors([['a', Tensor.zeros('float32', [1])], ['a', Tensor.zeros('float32', [1])]])).toThrow(
      "<output>: a: duplicate tensor name; the file is not valid safetensors — rewrite it with a conforming writer.",
    );
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [3], bytes: new Uint8Array(8) } }, undefined, { target: 'out.st' })).toThrow(
      'out.st: a.bytes: shape [3] of F32 needs 12 bytes but 8 were given',
    );
    expect(() => writeSafetensors({ a: { dtype: 'F31' as 'F32', shape: [1], bytes: new Uint8Array(4) } })).toThrow(TensorDTypeError);
    expect(() => writeSafetensors({}, { n: 3 as unknown as string })).toThrow(/metadata values must be strings/);
  });
});

describe('readSafetensors', () => {
  it('reads a file hand-built by test/golden/read_concept.py (every whole-byte dtype, scalar, empty)', () => {
    const path = new URL('./golden/handbuilt-mixed.safetensors', import.meta.url);
    const file = readSafetensors(new Uint8Array(readFileSync(path)), 'handbuilt-mixed.safetensors');
    expect(file.metadata).toEqual({ format: 'pt', note: 'hand-built' });
    expect(file.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['ids', 'I64', [2, 2]],
      ['weights', 'F64', [3]],
      ['brain', 'BF16', [2]],
      ['counts', 'I32', [3]],
      ['scale', 'F32', []],
      ['pixels', 'U8', [2, 3]],
      ['mask', 'BOOL', [3]],
      ['nothing', 'F32', [0, 4]],
    ]);
    expect(Array.from(toTensor(file.tensor('ids')!).data as BigInt64Array)).toEqual([1n, -2n, 2n ** 40n, -(2n ** 62n)]);
    expect(Array.from(toTensor(file.tensor('counts')!).data as Int32Array)).toEqual([7, -8, 2 ** 31 - 1]);
    expect(Array.from(toTensor(file.tensor('scale')!).data as Float32Array)).toEqual([0.25]);
    expect(Array.from(toTensor(file.tensor('pixels')!).data as Uint8Array)).toEqual([0, 1, 2, 253, 254, 255]);
    expect(Array.from(toTensor(file.tensor('mask')!).data as Uint8Array)).toEqual([1, 0, 1]);
    expect(toTensor(file.tensor('nothing')!).size).toBe(0);
    const f64 = new DataView(file.tensor('weights')!.bytes.slice().buffer);
    expect([0, 1, 2].map((i) => f64.getFloat64(i * 8, true))).toEqual([0.1, -2.5, 1e300]);
    const bf16 = new DataView(file.tensor('brain')!.bytes.slice().buffer);
    expect([0, 1].map((i) => bf16.getUint16(i * 2, true))).toEqual([0x3fc0, 0xc040]);
    expect(() => toTensor(file.tensor('brain')!, 'handbuilt-mixed.safetensors')).toThrow(
      "handbuilt-mixed.safetensors: brain.dtype: dtype 'BF16' is not allowed here",
    );
  });

  it('accepts any JSON whitespace inside the header and tensors listed in any order', () => {
    const header = '{ "b" : {"shape":[1], "dtype":"F32", "data_offsets":[4,8]},\n\t"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]} }  ';
    const file = readSafetensors(rawFile(header, f32([1, 2])));
    expect(file.tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('decodes JSON escapes in names and refuses lone surrogates', () => {
    const named = (name: string) => rawFile(`{"${name}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32([1]));
    expect(readSafetensors(named('caf\\u00e9\\ud83d\\ude00\\/x\\"')).tensors[0]!.name).toBe('café😀/x"');
    expect(readSafetensors(named('ünï/😀')).tensors[0]!.name).toBe('ünï/😀');
    expect(() => readSafetensors(named('a\\ud83d'), 'f.st')).toThrow('f.st: header: the header is not valid JSON: lone high surrogate in a \\u escape');
    expect(() => readSafetensors(named('a\\ude00'), 'f.st')).toThrow('lone low surrogate');
    expect(() => readSafetensors(named('tab\there'), 'f.st')).toThrow('control character in a string');
  });

  const entry = (name: string, dtype: string, shape: number[], begin: number, end: number) =>
    `"${name}":{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${begin},${end}]}`;
  const twoFloats = (a: string, b?: string) => `{${b === undefined ? a : `${a},${b}`}}`;

  it.each([
    ['fewer than 8 bytes', new Uint8Array(5), TruncatedFileError, 'f.st: header size: the file is truncated: the 8-byte header size needs 8 bytes but the file has 5; the download or copy was probably cut short'],
    [
      'a header size beyond the end of the file',
      rawFile('{}', new Uint8Array(0), 100n),
      TruncatedFileError,
      'f.st: header: the file is truncated: the 100-byte header announced by the first 8 bytes needs 108 bytes but the file has 10',
    ],
    [
      'a header larger than the limit',
      rawFile('{}', new Uint8Array(0), 100_000_001n),
      HeaderTooLargeError,
      'f.st: header size: the header claims 100000001 bytes, more than the limit of 100000000',
    ],
    ['an absurd header size (u64 max)', rawFile('{}', new Uint8Array(0), 2n ** 64n - 1n), HeaderTooLargeError, 'claims 18446744073709551615 bytes'],
    ['a header that is not JSON', rawFile('{"a":1,}'), MalformedHeaderError, 'f.st: header: the header is not valid JSON: expected a string key in an object (character 7)'],
    ['a header that is not UTF-8', rawFile(new Uint8Array([0x7b, 0xff, 0x7d])), MalformedHeaderError, 'f.st: header: the header is not valid UTF-8'],
    ['a header not starting with {', rawFile(' {}'), MalformedHeaderError, "f.st: header: the header must start with '{' but starts with \" {}\""],
    ['a header that is a JSON array', rawFile('[1]'), MalformedHeaderError, "the header must start with '{'"],
    ['padding other than spaces', rawFile('{}\n'), MalformedHeaderError, "f.st: header: only spaces may follow the header's JSON object, found \"\\n\" at character 2"],
    ['NUL padding', rawFile('{}\0\0'), MalformedHeaderError, 'only spaces may follow'],
    ['a duplicate tensor name', rawFile(twoFloats(entry('a', 'F32', [1], 0, 4), entry('a', 'F32', [1], 4, 8)), f32([1, 2])), MalformedHeaderError, 'f.st: header: the header is not valid JSON: duplicate key "a"'],
    ['a duplicate metadata key', rawFile('{"__metadata__":{"k":"1","k":"2"}}'), MalformedHeaderError, 'f.st: __metadata__: the header is not valid JSON: duplicate key "k"'],
    ['a non-string metadata value', rawFile('{"__metadata__":{"steps":400}}'), MalformedHeaderError, 'f.st: __metadata__.steps: metadata values must be strings, found the number 400'],
    ['an unknown dtype', rawFile(twoFloats(entry('w', 'F33', [1], 0, 4)), f32([1])), TensorDTypeError, "f.st: w.dtype: dtype 'F33' is not allowed here (expected 'BOOL' or 'U8'"],
    ['a sub-byte dtype', rawFile(twoFloats(entry('w', 'F4', [2], 0, 1)), new Uint8Array(1)), TensorDTypeError, "f.st: w.dtype: dtype 'F4' is not allowed here"],
    ['a missing dtype', rawFile('{"w":{"shape":[1],"data_offsets":[0,4]}}', f32([1])), MalformedHeaderError, 'f.st: w.dtype: missing'],
    ['an unknown entry field', rawFile('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offsets":[0,4]}}', f32([1])), MalformedHeaderError, 'f.st: w.offsets: unknown field in a tensor entry'],
    ['a fractional dimension', rawFile('{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', f32([1])), MalformedHeaderError, 'f.st: w.shape[0]: must be a non-negative integer (written without fraction or exponent), found the number 1.0'],
    ['a negative dimension', rawFile(twoFloats(entry('w', 'F32', [-1], 0, 4)), f32([1])), MalformedHeaderError, 'f.st: w.shape[0]: must be a non-negative integer'],
    ['data_offsets of the wrong length', rawFile('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', f32([1])), MalformedHeaderError, 'f.st: w.data_offsets: must be [begin, end], found an array of length 1'],
    ['end before begin', rawFile(twoFloats(entry('w', 'F32', [0], 4, 0)), f32([1])), TensorLayoutError, 'f.st: w.data_offsets: end 0 is before begin 4'],
    ['a shape that disagrees with the offsets', rawFile(twoFloats(entry('w', 'F32', [2], 0, 4)), f32([1])), TensorLayoutError, 'f.st: w.data_offsets: shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4'],
    ['overlapping tensors', rawFile(twoFloats(entry('a', 'F32', [2], 0, 8), entry('b', 'F32', [1], 4, 8)), f32([1, 2])), TensorLayoutError, "f.st: b.data_offsets: bytes [4, 8) overlap tensor 'a' at [0, 8)"],
    ['two tensors on the same bytes', rawFile(twoFloats(entry('a', 'F32', [1], 0, 4), entry('b', 'F32', [1], 0, 4)), f32([1])), TensorLayoutError, "overlap tensor 'a'"],
    ['a gap between tensors', rawFile(twoFloats(entry('a', 'F32', [1], 0, 4), entry('b', 'F32', [1], 8, 12)), f32([1, 2, 3])), TensorLayoutError, 'f.st: b.data_offsets: there is a gap of 4 bytes before this tensor (bytes [4, 8) belong to no tensor)'],
    ['a gap at the start', rawFile(twoFloats(entry('a', 'F32', [1], 4, 8)), f32([1, 2])), TensorLayoutError, 'f.st: a.data_offsets: there is a gap of 4 bytes before this tensor'],
    ['trailing bytes after the last tensor', rawFile(twoFloats(entry('a', 'F32', [1], 0, 4)), f32([1, 2])), TensorLayoutError, 'f.st: data: the data buffer has 4 bytes after the last tensor that belong to no tensor'],
    ['truncated tensor data', rawFile(twoFloats(entry('a', 'F32', [3], 0, 12)), f32([1, 2])), TruncatedFileError, 'f.st: a.data_offsets: the file is truncated: the tensor data (12 bytes after the 63-byte size prefix and header) needs 75 bytes but the file has 71'],
    ['deep nesting', rawFile(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`), MalformedHeaderError, 'nesting deeper than 64 levels'],
  ] as const)('refuses %s with a typed error naming file and field', (_, bytes, type, message) => {
    let caught: unknown;
    try {
      readSafetensors(bytes, 'f.st');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(type);
    expect(caught).toBeInstanceOf(ConceptFormatError);
    expect((caught as Error).message).toContain(message);
    expect((caught as ConceptFormatError).file).toBe('f.st');
  });

  it('applies a caller-given header limit', () => {
    expect(() => readSafetensors(rawFile('{}      '), 'small.st', { maxHeaderBytes: 4 })).toThrow(
      'small.st: header size: the header claims 8 bytes, more than the limit of 4; this is not a safetensors file of the expected kind (or it is corrupt).',
    );
  });
});
