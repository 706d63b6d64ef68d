import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '@perfusion/tensor-core';
import type { EncodeOptions } from './codec.js';
import { decodeModel, encodeModel } from './codec.js';
import { ModelDecodeError } from './errors.js';
import { relocateExternalData } from './external-data/relocate.js';
import type { RelocateOptions } from './external-data/relocate.js';
import type { ModelProto } from './gen/onnx_pb.js';

/** Options of {@link writeModel}. */
export interface WriteModelOptions extends EncodeOptions, RelocateOptions {
  /**
   * The folder the model's external-data locations are relative to now (usually the folder it
   * was read from). When it differs from the destination folder, the weight files are linked
   * into the destination first (see `relocateExternalData`), never copied by default.
   */
  readonly externalDataFrom?: string;
}

/**
 * Reads and decodes an ONNX model file. External data stays on disk: only the graph and inline
 * tensors are loaded; tensor payloads are views into the file's bytes.
 * @throws ModelDecodeError naming the file when it is missing, empty, truncated or not ONNX.
 */
export async function readModel(file: string): Promise<ModelProto> {
  return decodeModel(await readModelBytes(file), file);
}

/** Synchronous {@link readModel}. */
export function readModelSync(file: string): ModelProto {
  let bytes: Uint8Array;
  try {
    bytes = plainBytes(fs.readFileSync(file));
  } catch (cause) {
    throw unreadable(file, cause);
  }
  return decodeModel(bytes, file);
}

/**
 * The bytes of the model file `file`, as a plain Uint8Array (see {@link plainBytes}).
 * @param expected what the file should be, for the error message.
 * @throws ModelDecodeError ('unreadable') naming the file when it is missing or cannot be read.
 */
export async function readModelBytes(file: string, expected = 'an ONNX model file'): Promise<Uint8Array> {
  try {
    return plainBytes(await fs.promises.readFile(file));
  } catch (cause) {
    throw unreadable(file, cause, expected);
  }
}

/**
 * Encodes `model` and writes it to `file` atomically (temporary file, then rename).
 * With `externalDataFrom`, first makes the model's external weight files available next to `file`.
 * @throws ModelTooLargeError when inline data exceed the protobuf limit (use external data).
 */
export async function writeModel(model: ModelProto, file: string, options: WriteModelOptions = {}): Promise<void> {
  writeModelSync(model, file, options);
}

/** Synchronous {@link writeModel}. */
export function writeModelSync(model: ModelProto, file: string, options: WriteModelOptions = {}): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  // Relocation may normalise external-data locations in the model, so it runs before encoding.
  if (options.externalDataFrom !== undefined) {
    relocateExternalData(model, options.externalDataFrom, dir, options);
  }
  writeFileAtomicSync(file, encodeModel(model, options));
}

function unreadable(file: string, cause: unknown, expected = 'an ONNX model file'): ModelDecodeError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`;
  return new ModelDecodeError(file, 'unreadable', `${why}; expected ${expected}`, { cause });
}

/**
 * The same memory as a plain Uint8Array. Decoded payloads are subarrays of what is decoded, and
 * a Buffer's `slice()` returns a view where Uint8Array's copies; plain arrays keep that predictable.
 */
function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}
