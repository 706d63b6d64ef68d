import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PatchedModelCacheError } from '../errors.js';

/** Name of the cache folder created next to a source model by default. */
export const SOURCE_CACHE_FOLDER = '.perfusion-cache';

/** Environment variable that moves every Perfusion cache (each kind of patch to its own sub-folder of it). */
export const PERFUSION_CACHE_DIR_ENV = 'PERFUSION_CACHE_DIR';

/** The default cache folder of a model: `<folder of model.onnx>/.perfusion-cache`. */
export function sourceCacheDir(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), SOURCE_CACHE_FOLDER);
}

/**
 * Where patched models go when the model's own folder is not writable: `$PERFUSION_CACHE_DIR/<subdir>`,
 * else `$XDG_CACHE_HOME/perfusion/<subdir>`, else `~/.cache/perfusion/<subdir>`.
 */
export function userCacheDir(subdir: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[PERFUSION_CACHE_DIR_ENV];
  if (override !== undefined && override !== '') return path.resolve(override, subdir);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' ? path.resolve(xdg) : path.join(os.homedir(), '.cache');
  return path.join(base, 'perfusion', subdir);
}

/**
 * Creates `dir` and checks it is writable; returns it, or undefined (or throws a
 * PatchedModelCacheError naming `the <label> cache`, when `required`).
 */
export function prepareCacheDir(dir: string, required: boolean, label: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch (cause) {
    if (!required) return undefined;
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new PatchedModelCacheError(
      `cannot use ${dir} as the ${label.replaceAll(' ', '-')} cache (${code}); pass a writable cacheDir on the model's file system.`,
      { cause },
    );
  }
}
