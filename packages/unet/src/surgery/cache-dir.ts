import * as os from 'node:os';
import * as path from 'node:path';

/** Name of the cache folder created next to a UNet model by default. */
export const SOURCE_CACHE_FOLDER = '.perfusion-cache';

/** Environment variable that moves every Perfusion cache (patched UNets go to `$PERFUSION_CACHE_DIR/unet-patches`). */
export const PERFUSION_CACHE_DIR_ENV = 'PERFUSION_CACHE_DIR';

/** The default cache folder of a model: `<folder of model.onnx>/.perfusion-cache`. */
export function sourceCacheDir(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), SOURCE_CACHE_FOLDER);
}

/**
 * Where patched UNets go when the model's own folder is not writable:
 * `$PERFUSION_CACHE_DIR/unet-patches`, else `$XDG_CACHE_HOME/perfusion/unet-patches`, else
 * `~/.cache/perfusion/unet-patches`.
 */
export function userPatchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[PERFUSION_CACHE_DIR_ENV];
  if (override !== undefined && override !== '') return path.resolve(override, 'unet-patches');
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' ? path.resolve(xdg) : path.join(os.homedir(), '.cache');
  return path.join(base, 'perfusion', 'unet-patches');
}
