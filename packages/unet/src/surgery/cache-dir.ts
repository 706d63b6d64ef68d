import { userCacheDir } from '@perfusion/onnx-graph';

// The cache folders are onnx-graph's patched-model cache's (shared with the text encoder's extension).
export { PERFUSION_CACHE_DIR_ENV, SOURCE_CACHE_FOLDER, sourceCacheDir } from '@perfusion/onnx-graph';

/** Sub-folder of the user cache that holds patched UNets. */
export const USER_CACHE_SUBDIR = 'unet-patches';

/**
 * Where patched UNets go when the model's own folder is not writable:
 * `$PERFUSION_CACHE_DIR/unet-patches`, else `$XDG_CACHE_HOME/perfusion/unet-patches`, else
 * `~/.cache/perfusion/unet-patches`.
 */
export function userPatchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return userCacheDir(USER_CACHE_SUBDIR, env);
}
