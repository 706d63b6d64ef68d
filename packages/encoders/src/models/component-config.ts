import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentConfigError } from '../errors.js';

/** A component's `config.json` (diffusers / transformers), or an empty object when the folder has none. */
export async function readComponentConfig(dir: string): Promise<Readonly<Record<string, unknown>>> {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ComponentConfigError(`Cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ComponentConfigError(`${file} is not valid JSON (${(cause as Error).message}).`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ComponentConfigError(`${file} must hold a JSON object.`);
  return value as Record<string, unknown>;
}

/**
 * A positive number field of a config, or undefined when absent.
 * @throws ComponentConfigError naming the file and field when present but not a positive finite number.
 */
export function positiveNumber(config: Readonly<Record<string, unknown>>, key: string, where: string, integer = false): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ComponentConfigError(`${path.join(where, 'config.json')}: ${key} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * The model file and folder of a component given as its folder (`vae_decoder/`, holding
 * `model.onnx` and `config.json`) or as the `.onnx` file itself.
 */
export function componentPaths(componentDirOrModel: string): { modelPath: string; dir: string } {
  const resolved = path.resolve(componentDirOrModel);
  if (resolved.toLowerCase().endsWith('.onnx')) return { modelPath: resolved, dir: path.dirname(resolved) };
  return { modelPath: path.join(resolved, 'model.onnx'), dir: resolved };
}
