import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFolderAtomically } from '@perfusion/fixtures';
import { readModelSync, tensorFromProto, TensorProto_DataType, writeModelSync } from '@perfusion/onnx-graph';
import { ToyModelError } from '../errors.js';

/** Two model folders cannot be averaged (different networks, a missing component, an output in the way). */
export class ModelAverageError extends ToyModelError {}

/** The networks whose weights {@link averageToyModels} blends: the denoiser and the text encoder trained with it. */
export const AVERAGED_COMPONENTS = ['unet', 'text_encoder'] as const;

/**
 * Writes to `out` a model folder whose denoiser and text encoder weights are `(1 − weight)·first +
 * weight·second`, every other component (autoencoder, tokenizer, scheduler) copied from `second`.
 * Why: two denoisers on one training path (one trained further from the other) trade things against
 * each other — the longer-trained draws shapes better, the earlier one keeps the example concept
 * better — and their weight average sits between them on both. Both folders must hold the same
 * networks (same initializer names, types and shapes). Written through `writeFolderAtomically`, so a
 * failure leaves nothing half-written; an existing `out` is refused.
 */
export async function averageToyModels(first: string, second: string, weight: number, out: string): Promise<void> {
  if (!(weight >= 0 && weight <= 1)) throw new ModelAverageError(`averageToyModels: the weight must lie in [0, 1], got ${weight}.`);
  if (fs.existsSync(out)) throw new ModelAverageError(`averageToyModels: ${out} exists; give a new folder.`);
  await writeFolderAtomically(out, false, async (temp) => {
    fs.cpSync(second, temp, { recursive: true, filter: (source) => path.basename(source) !== '.perfusion-cache' });
    for (const component of AVERAGED_COMPONENTS) {
      const blended = blendNetwork(path.join(first, component, 'model.onnx'), path.join(second, component, 'model.onnx'), weight);
      writeModelSync(blended, path.join(temp, component, 'model.onnx'));
    }
    recordAverage(path.join(temp, 'model_index.json'), first, second, weight);
  });
}

function blendNetwork(firstFile: string, secondFile: string, weight: number) {
  for (const file of [firstFile, secondFile]) if (!fs.existsSync(file)) throw new ModelAverageError(`averageToyModels: no network at ${file}.`);
  const a = readModelSync(firstFile);
  const b = readModelSync(secondFile);
  const ofFirst = new Map(a.graph!.initializer.map((i) => [i.name, i]));
  if (ofFirst.size !== b.graph!.initializer.length) {
    throw new ModelAverageError(`averageToyModels: ${firstFile} has ${ofFirst.size} weights, ${secondFile} ${b.graph!.initializer.length}; average two models of one architecture.`);
  }
  for (const init of b.graph!.initializer) {
    const other = ofFirst.get(init.name);
    if (other === undefined || other.dataType !== init.dataType || other.dims.join() !== init.dims.join()) {
      throw new ModelAverageError(`averageToyModels: weight '${init.name}' of ${secondFile} has no match of the same type and shape in ${firstFile}; average two models of one architecture.`);
    }
    if (init.dataType !== TensorProto_DataType.FLOAT) continue;
    const x = tensorFromProto(other, path.dirname(firstFile)).data as Float32Array;
    const y = tensorFromProto(init, path.dirname(secondFile)).data as Float32Array;
    const mixed = new Float32Array(y.length);
    for (let k = 0; k < y.length; k++) mixed[k] = (1 - weight) * x[k]! + weight * y[k]!;
    init.rawData = new Uint8Array(mixed.buffer);
    init.floatData = [];
  }
  return b;
}

/** Notes in model_index.json which models were averaged and how, beside their trained steps. */
function recordAverage(indexFile: string, first: string, second: string, weight: number): void {
  const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8')) as Record<string, unknown>;
  const toyOf = (index: Record<string, unknown>) => (index['perfusion_toy_model'] ?? {}) as Record<string, unknown>;
  const index = read(second);
  const toy = toyOf(index);
  index['perfusion_toy_model'] = { ...toy, averaged: { weight_of_second: weight, first: toyOf(read(first))['trained_steps'] ?? null, second: toy['trained_steps'] ?? null } };
  fs.writeFileSync(indexFile, `${JSON.stringify(index, null, 2)}\n`);
}
