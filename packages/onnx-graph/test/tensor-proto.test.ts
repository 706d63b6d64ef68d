import { create } from '@bufbuild/protobuf';
import { float32ToFloat16, Tensor } from '@perfusion/tensor-core';
import type { DType } from '@perfusion/tensor-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dtypeFromOnnx,
  ExternalDataError,
  onnxDataType,
  setExternalData,
  TensorDataError,
  tensorFromProto,
  TensorProto_DataType,
  TensorProtoSchema,
  tensorToProto,
  UnsupportedDataTypeError,
} from '../src/index.js';
import { tempDir } from './helpers/paths.js';

/** A tensor's elements as a plain array, whatever its dtype. */
function values(t: Tensor): (number | bigint)[] {
  return Array.from(t.data as ArrayLike<number | bigint>);
}

const samples: { [D in DType]: Tensor<D> } = {
  float32: new Tensor('float32', new Float32Array([1.5, -2, 3.25, 0, Number.MAX_VALUE, -0]), [2, 3]),
  float16: new Tensor('float16', new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]), [4]),
  int64: new Tensor('int64', new BigInt64Array([-(2n ** 62n), 0n, 77n]), [3, 1]),
  int32: new Tensor('int32', new Int32Array([-7, 2 ** 31 - 1]), [2]),
  uint8: new Tensor('uint8', new Uint8Array([0, 255, 17]), [3]),
  bool: new Tensor('bool', new Uint8Array([1, 0, 1, 1]), [2, 2]),
};

describe('dtype mapping', () => {
  it('maps each tensor-core dtype to the ONNX code and back', () => {
    // Codes from onnx.proto's TensorProto.DataType.
    const expected: Record<DType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 };
    for (const [dtype, code] of Object.entries(expected) as [DType, number][]) {
      expect(onnxDataType(dtype)).toBe(code);
      expect(dtypeFromOnnx(code)).toBe(dtype);
    }
  });

  it('names unsupported ONNX types and the tensor in its error', () => {
    expect(() => dtypeFromOnnx(TensorProto_DataType.DOUBLE, "tensor 'w'")).toThrow(UnsupportedDataTypeError);
    expect(() => dtypeFromOnnx(TensorProto_DataType.DOUBLE, "tensor 'w'")).toThrow(/tensor 'w'.*DOUBLE \(11\)/);
    expect(() => dtypeFromOnnx(99)).toThrow(/code 99/);
  });
});

describe('tensorToProto / tensorFromProto', () => {
  it('round-trips every dtype through little-endian raw_data', () => {
    for (const tensor of Object.values(samples)) {
      const proto = tensorToProto('t', tensor);
      expect(proto.rawData.length).toBe(tensor.data.byteLength);
      const back = tensorFromProto(proto);
      expect(back.dtype).toBe(tensor.dtype);
      expect(back.shape).toEqual(tensor.shape);
      expect(values(back)).toEqual(values(tensor));
    }
  });

  it('writes raw_data little-endian', () => {
    const proto = tensorToProto('x', new Tensor('int32', new Int32Array([0x01020304]), [1]));
    expect(Array.from(proto.rawData)).toEqual([4, 3, 2, 1]);
  });

  it('copies: editing the tensor afterwards does not change the proto, nor the other way round', () => {
    const tensor = new Tensor('float32', new Float32Array([1, 2]), [2]);
    const proto = tensorToProto('x', tensor);
    tensor.data[0] = 9;
    const back = tensorFromProto(proto);
    expect(back.data[0]).toBe(1);
    back.data[1] = 7;
    expect(new Float32Array(proto.rawData.slice().buffer)[1]).toBe(2);
  });

  it('reads raw_data that sits at an unaligned offset of a larger buffer', () => {
    const buffer = new Uint8Array(1 + 8);
    new DataView(buffer.buffer).setFloat32(1, 2.5, true);
    new DataView(buffer.buffer).setFloat32(5, -1, true);
    const proto = create(TensorProtoSchema, { name: 'u', dataType: 1, dims: [2n], rawData: buffer.subarray(1) });
    expect(values(tensorFromProto(proto))).toEqual([2.5, -1]);
  });

  it('reads the typed data fields: float_data, int64_data, int32_data holding fp16 bits, uint8 and bool', () => {
    const f = create(TensorProtoSchema, { dataType: 1, dims: [2n], floatData: [0.5, -4] });
    expect(values(tensorFromProto(f))).toEqual([0.5, -4]);
    const i64 = create(TensorProtoSchema, { dataType: 7, dims: [2n], int64Data: [-3n, 2n ** 40n] });
    expect(values(tensorFromProto(i64))).toEqual([-3n, 2n ** 40n]);
    const halfBits = [float32ToFloat16(1), float32ToFloat16(-0.5), 0x7e00];
    const f16 = create(TensorProtoSchema, { dataType: 10, dims: [3n], int32Data: halfBits });
    const f16Back = tensorFromProto(f16);
    expect(f16Back.dtype).toBe('float16');
    expect(values(f16Back)).toEqual([0x3c00, 0xb800, 0x7e00]);
    const u8 = create(TensorProtoSchema, { dataType: 2, dims: [2n], int32Data: [200, 3] });
    expect(values(tensorFromProto(u8))).toEqual([200, 3]);
    const b = create(TensorProtoSchema, { dataType: 9, dims: [3n], int32Data: [1, 0, 1] });
    expect(values(tensorFromProto(b))).toEqual([1, 0, 1]);
    const i32 = create(TensorProtoSchema, { dataType: 6, dims: [], int32Data: [-5] });
    const scalar = tensorFromProto(i32);
    expect(scalar.shape).toEqual([]);
    expect(values(scalar)).toEqual([-5]);
  });

  it('rejects data whose size does not match the dims, naming the tensor', () => {
    const short = create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [3n], rawData: new Uint8Array(8) });
    expect(() => tensorFromProto(short)).toThrow(TensorDataError);
    expect(() => tensorFromProto(short)).toThrow(/tensor 'w' holds 8 bytes .* need 12/);
    const empty = create(TensorProtoSchema, { name: 'e', dataType: 1, dims: [2n] });
    expect(() => tensorFromProto(empty)).toThrow(/tensor 'e' .* has no data/);
    const dbl = create(TensorProtoSchema, { name: 'd', dataType: 11, dims: [1n], doubleData: [1] });
    expect(() => tensorFromProto(dbl)).toThrow(/tensor 'd' has ONNX element type DOUBLE/);
  });
});

describe('tensorFromProto on external data', () => {
  function externalTensor(location: string, offset: number, values: number[]) {
    const proto = create(TensorProtoSchema, { name: 'ext', dataType: 1, dims: [BigInt(values.length)] });
    setExternalData(proto, { location, offset, length: values.length * 4 });
    return proto;
  }

  it('reads exactly its own byte range of the file', () => {
    const dir = tempDir();
    // 100 bytes of 0xff, then the tensor's 3 floats, then more 0xff: a reader that got the range
    // wrong would see NaN bytes.
    const file = Buffer.alloc(100 + 12 + 50, 0xff);
    new Float32Array([1, 2, 3]).forEach((v, i) => file.writeFloatLE(v, 100 + 4 * i));
    fs.writeFileSync(path.join(dir, 'weights.bin'), file);
    const tensor = tensorFromProto(externalTensor('weights.bin', 100, [0, 0, 0]), dir);
    expect(values(tensor)).toEqual([1, 2, 3]);
  });

  it('needs the model folder', () => {
    expect(() => tensorFromProto(externalTensor('weights.bin', 0, [0]))).toThrow(/pass the model's folder as modelDir/);
  });

  it('refuses locations outside the model folder', () => {
    const dir = tempDir();
    for (const location of ['../weights.bin', 'sub/../../weights.bin', '/etc/passwd', 'C:\\weights.bin']) {
      expect(() => tensorFromProto(externalTensor(location, 0, [0]), dir)).toThrow(ExternalDataError);
    }
    expect(() => tensorFromProto(externalTensor('../w.bin', 0, [0]), dir)).toThrow(/outside the model's folder/);
  });

  it('reports a missing or short file, naming the tensor and the path', () => {
    const dir = tempDir();
    expect(() => tensorFromProto(externalTensor('missing.bin', 0, [0]), dir)).toThrow(/tensor 'ext'.*missing\.bin/);
    fs.writeFileSync(path.join(dir, 'short.bin'), new Uint8Array(10));
    expect(() => tensorFromProto(externalTensor('short.bin', 0, [0, 0, 0]), dir)).toThrow(/only 10 bytes/);
  });

  it('rejects a declared length that disagrees with the dims', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(64));
    const proto = externalTensor('w.bin', 0, [0, 0]);
    proto.dims = [4n];
    expect(() => tensorFromProto(proto, dir)).toThrow(/declares external length 8 bytes .* need 16/);
  });
});
