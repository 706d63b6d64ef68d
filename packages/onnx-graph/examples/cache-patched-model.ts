import { addGraphOutput, cachePatchedModel, type CachedPatchedModel } from '@perfusion/onnx-graph';

/**
 * A copy of the model at `modelPath` that also outputs the inner float32 value `value`, written
 * once into `<model folder>/.perfusion-cache/<fingerprint>/` (weights linked, not copied) and
 * reused by later calls until the model, its weights or `value` change.
 */
export async function exposeValue(modelPath: string, value: string): Promise<CachedPatchedModel> {
  return cachePatchedModel(modelPath, {
    label: 'model with an exposed value', // names it in messages
    patchVersion: 1, // bump when the patch below changes
    options: { value }, // part of the fingerprint and the manifest
    cacheSubdir: 'exposed-values', // the user-cache folder, when the model's folder is read-only
    sourceLinkName: 'source-model.onnx', // the hard link of model.onnx that supplies inline weights
    patch: (model) => {
      model.graph = addGraphOutput(model.graph!, value, 'float32');
      return { exposed: value }; // recorded in perfusion-patch.json
    },
  });
}
