import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '@perfusion/tensor-core';
import type { TensorProto } from '../gen/onnx_pb.js';
import { setExternalData } from './info.js';
import { normalizeLocation, resolveLocation } from './location.js';

/**
 * A file name for a tensor in the one-file-per-tensor layout (torch.onnx's large-model export):
 * the tensor's name with every character outside `[A-Za-z0-9._-]` replaced by `_`.
 */
export function tensorFileName(tensorName: string): string {
  const safe = tensorName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe === '' ? '_' : safe;
}

/**
 * Writes one tensor's payload to its own file in `modelDir` (atomically) and makes `tensor` an
 * EXTERNAL tensor referencing the whole file — the layout torch.onnx uses for models over 2 GB.
 * @param fileName location relative to `modelDir`; defaults to {@link tensorFileName} of the tensor's name.
 */
export function writeExternalTensorFile(
  modelDir: string,
  tensor: TensorProto,
  bytes: Uint8Array,
  fileName: string = tensorFileName(tensor.name),
): void {
  const owner = `tensor '${tensor.name}'`;
  const location = normalizeLocation(fileName, owner);
  const file = resolveLocation(modelDir, location, owner);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, bytes);
  setExternalData(tensor, { location, offset: 0, length: bytes.length });
}
