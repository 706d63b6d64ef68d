import * as path from 'node:path';
import { decodeModel } from '../codec.js';
import type { ModelProto } from '../gen/onnx_pb.js';
import { readModelBytes } from '../model-file.js';

/** A source model read for patching: its file, its bytes, and the model decoded from them. */
export interface SourceModel {
  /** The source `model.onnx`, absolute. */
  readonly path: string;
  /** Its bytes; the inline weights of {@link model} are views into them (so they can be referenced in place). */
  readonly bytes: Uint8Array;
  /** The model decoded from {@link bytes}: the patch edits this copy in place. */
  readonly model: ModelProto;
}

/**
 * Reads and decodes the model at `file` for {@link cachePatchedModel}.
 * @param expected what the file should be, for the error message (`'a UNet model.onnx'`).
 * @throws ModelDecodeError naming the file when it is missing, unreadable or not an ONNX model.
 */
export async function readSourceModel(file: string, expected = 'an ONNX model.onnx'): Promise<SourceModel> {
  const sourcePath = path.resolve(file);
  const bytes = await readModelBytes(sourcePath, expected);
  return { path: sourcePath, bytes, model: decodeModel(bytes, sourcePath) };
}
