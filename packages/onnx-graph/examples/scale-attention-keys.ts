import { create } from '@bufbuild/protobuf';
import * as path from 'node:path';
import {
  addGraphInput,
  addGraphOutput,
  GraphIndex,
  insertNodes,
  NodeProtoSchema,
  readModel,
  replaceUses,
  validateGraph,
  writeModel,
} from '@perfusion/onnx-graph';

/**
 * Patches every cross-attention key projection of a diffusers UNet export to multiply its keys
 * by a new `key_scale` input, and exposes the scaled keys as extra outputs. The model's weights,
 * external or not, are never loaded into JS: the edited model in `outFile`'s folder references
 * the original weight file (hard-linked there, not copied).
 */
export async function scaleAttentionKeys(modelFile: string, outFile: string): Promise<string[]> {
  // 1. Read: only the graph is decoded; external weights stay on disk.
  const model = await readModel(modelFile);
  let graph = model.graph!;

  // 2. Query: the key projections of the 16 cross-attention layers.
  const keyProjections = new GraphIndex(graph).nodesByName(/\/attn2\/to_k\/MatMul$/);

  // 3. Edit: a new input, then per layer a Mul spliced in after the projection.
  graph = addGraphInput(graph, 'key_scale', 'float32', [1]);
  const scaledKeys: string[] = [];
  for (const projection of keyProjections) {
    const keys = projection.output[0]!;
    const scaled = `${keys}/scaled`;
    const scale = create(NodeProtoSchema, {
      name: `${projection.name}/Scale`,
      opType: 'Mul',
      input: [keys, 'key_scale'],
      output: [scaled],
    });
    graph = insertNodes(graph, [scale], { after: projection.name });
    graph = replaceUses(graph, keys, scaled, { except: [scale.name] });
    graph = addGraphOutput(graph, scaled, 'float32', ['batch', 'sequence', null]);
    scaledKeys.push(scaled);
  }
  validateGraph(graph);
  model.graph = graph;

  // 4. Write: atomically, with the weight files linked next to the new model.
  await writeModel(model, outFile, { externalDataFrom: path.dirname(modelFile) });
  return scaledKeys;
}
