import { setExternalData, type ModelProto } from '@perfusion/onnx-graph';

/** Inline initializers at least this large are referenced in place rather than rewritten (ONNX's usual external-data threshold). */
export const INLINE_REFERENCE_MIN_BYTES = 1024;

/**
 * Turns every inline initializer of `model` (raw_data of at least `minBytes`) into an external
 * reference to `location` at the offset its bytes have in `fileBytes`, the bytes of the file the
 * model was decoded from. A hard link to that file under `location` next to the patched model then
 * supplies the weights, so a model that keeps its weights inline (e.g. a 1.7 GB float16 export)
 * is patched without copying them. Payloads that are not views into `fileBytes` stay inline.
 *
 * @returns the number of initializers now referenced.
 */
export function referenceInlineWeights(model: ModelProto, fileBytes: Uint8Array, location: string, minBytes = INLINE_REFERENCE_MIN_BYTES): number {
  let count = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (raw.length < minBytes || raw.buffer !== fileBytes.buffer) continue;
    const offset = raw.byteOffset - fileBytes.byteOffset;
    if (offset < 0 || offset + raw.length > fileBytes.length) continue;
    setExternalData(tensor, { location, offset, length: raw.length }); // drops the inline copy
    count++;
  }
  return count;
}
