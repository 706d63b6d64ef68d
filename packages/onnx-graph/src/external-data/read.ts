import * as fs from 'node:fs';
import { ExternalDataError } from '../errors.js';
import type { TensorProto } from '../gen/onnx_pb.js';
import { tensorByteLength } from '../tensor-payload.js';
import { externalDataInfo } from './info.js';
import { resolveLocation } from './location.js';

/**
 * Reads the payload of one EXTERNAL tensor: exactly its byte range, through a file handle, so a
 * tensor can be pulled out of a multi-GB weight file without touching the rest.
 * @param modelDir the folder of the model file; locations are relative to it and may not leave it.
 * @throws ExternalDataError when the file is missing, shorter than the range, or the length is wrong.
 */
export function readExternalPayload(tensor: TensorProto, modelDir: string): Uint8Array {
  const owner = `tensor '${tensor.name}'`;
  const info = externalDataInfo(tensor);
  const file = resolveLocation(modelDir, info.location, owner);
  const expected = tensorByteLength(tensor);
  if (info.length !== undefined && info.length !== expected) {
    throw new ExternalDataError(
      `${owner} declares external length ${info.length} bytes but dims [${tensor.dims.join(', ')}] need ${expected}`,
    );
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (cause) {
    throw new ExternalDataError(
      `${owner} keeps its data in '${info.location}', but ${file} cannot be opened ` +
        `(${(cause as NodeJS.ErrnoException).code ?? String(cause)}); pass the model's folder as modelDir`,
      { cause },
    );
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (info.offset + expected > size) {
      throw new ExternalDataError(
        `${owner} needs bytes ${info.offset}..${info.offset + expected} of ${file}, but the file has only ${size} bytes; ` +
          'the weight file is truncated or belongs to another model',
      );
    }
    const out = new Uint8Array(expected);
    let done = 0;
    while (done < expected) {
      const n = fs.readSync(fd, out, done, expected - done, info.offset + done);
      if (n === 0) throw new ExternalDataError(`${owner}: unexpected end of ${file} at byte ${info.offset + done}`);
      done += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
