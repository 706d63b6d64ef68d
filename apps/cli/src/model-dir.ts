import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DefaultModel } from './default-model.js';
import { CliUsageError } from './errors.js';

/** A model folder to use, and whether it is the embedded default. */
export interface ResolvedModel {
  readonly dir: string;
  readonly isDefault: boolean;
  /** The embedded default model (its concepts folder among the rest), when that is the one in use. */
  readonly defaultModel?: DefaultModel;
}

/** `--model DIR`, checked to be a folder (the command's loader checks its contents). */
export function checkModelDir(dir: string, command: string): string {
  const resolved = path.resolve(dir);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory()) {
    throw new CliUsageError(
      `--model ${dir}: no such folder. Point --model at a model folder in the diffusers/optimum ONNX layout ` +
        '(model_index.json, unet/model.onnx, text_encoder/, vae_decoder/, tokenizer/, scheduler/), or leave it out to use the default model.',
      command,
    );
  }
  return resolved;
}

/**
 * The model folder a command works on: `--model` (checked to exist) or the embedded default (the
 * toy model committed in @perfusion/toymodel). With `announce` (default) `say` gets a
 * `model: DIR ...` line.
 */
export async function resolveModel(model: string | undefined, command: string, say: (line: string) => void, announce = true): Promise<ResolvedModel> {
  if (model !== undefined) {
    const dir = checkModelDir(model, command);
    if (announce) say(`model: ${dir}`);
    return { dir, isDefault: false };
  }
  // Imported only when no --model is given: the default model is then the toy model folder inside @perfusion/toymodel.
  const { ensureDefaultModel } = await import('./default-model.js');
  const found = await ensureDefaultModel();
  if (announce) say(`model: ${found.dir} (default model: ${found.description})`);
  return { dir: found.dir, isDefault: true, defaultModel: found };
}
