import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The model's own cache folder, shared with the UNet and text-encoder caches' naming. */
export const MODEL_CACHE_FOLDER = '.perfusion-cache';
/** Environment variable that moves every Perfusion cache (covariances go to `$PERFUSION_CACHE_DIR/covariance`). */
export const PERFUSION_CACHE_DIR_ENV = 'PERFUSION_CACHE_DIR';

/** The covariance file's name for a base-model fingerprint: `covariance-<fingerprint>.safetensors`. */
export function covarianceFileName(fingerprint: string): string {
  return `covariance-${fingerprint.replace(/[^A-Za-z0-9._-]/g, '_')}.safetensors`;
}

/**
 * Where a model's covariance is looked for, in order, and where it is written: `<model>/.perfusion-cache`
 * first, then the user cache (`$PERFUSION_CACHE_DIR/covariance`, else `$XDG_CACHE_HOME/perfusion/covariance`,
 * else `~/.cache/perfusion/covariance`). With `cacheDir`, only there.
 */
export function covarianceCacheDirs(modelDir: string, cacheDir?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (cacheDir !== undefined) return [path.resolve(cacheDir)];
  return [path.join(path.resolve(modelDir), MODEL_CACHE_FOLDER), userCovarianceCacheDir(env)];
}

/** The user-level covariance cache (see {@link covarianceCacheDirs}). */
export function userCovarianceCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[PERFUSION_CACHE_DIR_ENV];
  if (override !== undefined && override !== '') return path.resolve(override, 'covariance');
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' ? path.resolve(xdg) : path.join(os.homedir(), '.cache');
  return path.join(base, 'perfusion', 'covariance');
}

/** The first of `dirs` that exists or can be created and is writable; undefined when none is. */
export function writableDir(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      return dir;
    } catch {
      // try the next one
    }
  }
  return undefined;
}
