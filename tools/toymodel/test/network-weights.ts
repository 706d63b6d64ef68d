import * as path from 'node:path';
import { readModelSync, tensorFromProto, TensorProto_DataType } from '@perfusion/onnx-graph';

/** The float initializers of one network of a model folder (`<dir>/<component>/model.onnx`), by name. */
export function networkWeights(modelDir: string, component: string): Map<string, Float32Array> {
  const file = path.join(modelDir, component, 'model.onnx');
  return new Map(
    readModelSync(file)
      .graph!.initializer.filter((i) => i.dataType === TensorProto_DataType.FLOAT)
      .map((i) => [i.name, tensorFromProto(i, path.dirname(file)).data as Float32Array]),
  );
}
