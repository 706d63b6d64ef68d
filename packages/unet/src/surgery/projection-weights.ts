import * as path from 'node:path';
import { readModel, tensorDims, tensorFromProto } from '@perfusion/onnx-graph';
import { toFloat32Array } from '@perfusion/tensor-core';
import { CrossAttentionStructureError } from './errors.js';
import type { CrossAttentionLayer } from './layers.js';

/** One projection weight W, row-major `[dim, width]` (proj(e) = e · W), as float32. */
export interface ProjectionWeight {
  readonly data: Float32Array;
  readonly width: number;
}

/** The K and V weights of one cross-attention layer. */
export interface LayerWeights {
  readonly key: string;
  readonly k: ProjectionWeight;
  readonly v: ProjectionWeight;
}

/**
 * Reads the K and V projection weights of `layers` from the model at `modelPath` (the source or
 * the patched model: they hold the same initializers). Only those tensors are read: external
 * data by their byte ranges, in place. float16 weights are widened to float32 exactly. The arrays
 * are `[dim, width]` row-major, the layout `@perfusion/key-lock`'s `ProjectionWeight` expects.
 *
 * @throws CrossAttentionStructureError when a weight is missing or its shape differs from the layer's.
 */
export async function readProjectionWeights(modelPath: string, layers: readonly CrossAttentionLayer[]): Promise<LayerWeights[]> {
  const model = await readModel(modelPath);
  const modelDir = path.dirname(path.resolve(modelPath));
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const read = (layer: CrossAttentionLayer, which: 'k' | 'v'): ProjectionWeight => {
    const name = layer[which].weight;
    const proto = initializers.get(name);
    const dims = proto === undefined ? undefined : tensorDims(proto);
    if (proto === undefined || dims!.length !== 2 || dims![0] !== layer.dim || dims![1] !== layer.width) {
      throw new CrossAttentionStructureError(
        modelPath,
        [layer[which].name || layer[which].output],
        proto === undefined
          ? `the ${which.toUpperCase()} weight '${name}' of layer '${layer.key}' is not an initializer of this model (layers found in another model?)`
          : `the ${which.toUpperCase()} weight '${name}' of layer '${layer.key}' is [${dims!.join(', ')}], expected [${layer.dim}, ${layer.width}]`,
      );
    }
    const tensor = tensorFromProto(proto, modelDir);
    const data = tensor.dtype === 'float16' ? toFloat32Array(tensor.data as Uint16Array) : (tensor.data as Float32Array);
    return { data, width: layer.width };
  };
  return layers.map((layer) => ({ key: layer.key, k: read(layer, 'k'), v: read(layer, 'v') }));
}
