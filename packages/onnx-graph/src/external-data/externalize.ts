import { ExternalDataError } from '../errors.js';
import type { ModelProto } from '../gen/onnx_pb.js';
import { inlineTensorBytes } from '../model-size.js';
import { inlinePayload, onnxElementBytes } from '../tensor-payload.js';
import { forEachTensor } from '../tensor-walk.js';
import { externalDataInfo, isExternalTensor } from './info.js';
import { normalizeLocation } from './location.js';
import { ExternalDataWriter } from './writer.js';

/** Options of {@link externalizeInitializers}. */
export interface ExternalizeOptions {
  /** Initializers with fewer inline bytes stay in the model (default 1024, as torch.onnx does). */
  readonly minBytes?: number;
}

/**
 * Moves the main graph's inline initializers into one external-data file `modelDir/fileName`,
 * turning each into a reference. This is the fix for a model over protobuf's 2 GiB limit, and a
 * way to give an inline model the layout large exports use. Returns how many tensors moved.
 * Write the model into `modelDir` afterwards.
 */
export function externalizeInitializers(
  model: ModelProto,
  modelDir: string,
  fileName = 'model.onnx_data',
  options: ExternalizeOptions = {},
): number {
  const minBytes = options.minBytes ?? 1024;
  refuseLocationInUse(model, fileName);
  const writer = new ExternalDataWriter(modelDir, fileName);
  let moved = 0;
  try {
    for (const tensor of model.graph?.initializer ?? []) {
      if (isExternalTensor(tensor) || onnxElementBytes(tensor.dataType) === undefined) continue;
      if (inlineTensorBytes(tensor) < minBytes) continue;
      writer.append(tensor, inlinePayload(tensor));
      moved++;
    }
  } catch (error) {
    writer.abort();
    throw error;
  }
  writer.close();
  return moved;
}

/** Rewriting a file the model already reads from would corrupt the tensors stored in it. */
function refuseLocationInUse(model: ModelProto, fileName: string): void {
  const location = normalizeLocation(fileName, `external-data file '${fileName}'`);
  forEachTensor(model, (tensor, owner) => {
    if (!isExternalTensor(tensor)) return;
    if (normalizeLocation(externalDataInfo(tensor).location, owner) === location) {
      throw new ExternalDataError(
        `cannot externalize initializers into '${fileName}': ${owner} already keeps its data there; choose another file name`,
      );
    }
  });
}
