/**
 * How `loadPipeline` sets up Perfusion (`PipelineOptions.perfusion`). `true` (the default) is `{}`;
 * `false` loads the plain UNet and text encoder, and requests with concepts are refused.
 */
export interface PerfusionLoadOptions {
  /**
   * Load the UNet patched with a separate input for the text states its K projections read, so that
   * requests may ask for `globalLocking`. That one patched model serves every request (local
   * locking feeds it the prompt's own states there), so nothing is loaded twice. Default false.
   */
  readonly globalLocking?: boolean;
  /**
   * Folder for the covariance file. Default: `<model>/.perfusion-cache`, else (when that folder
   * cannot be written) `$PERFUSION_CACHE_DIR/covariance`, `$XDG_CACHE_HOME/perfusion/covariance` or
   * `~/.cache/perfusion/covariance`.
   */
  readonly covarianceCacheDir?: string;
  /** Folder for the patched UNet (`patchUnetForPerfusion`'s `cacheDir`; on the model's file system). */
  readonly unetCacheDir?: string;
  /** Folder for the text encoder extended for added tokens (`extendTextEncoderModel`'s `cacheDir`). */
  readonly textEncoderCacheDir?: string;
  /** Copy weight files into the caches when they cannot be hard-linked (another file system). Default false. */
  readonly allowCopy?: boolean;
}

/** `PipelineOptions.perfusion` with its default applied: the options, or undefined for `false`. */
export function perfusionLoadOptions(value: boolean | PerfusionLoadOptions | undefined): PerfusionLoadOptions | undefined {
  if (value === undefined || value === true) return {};
  if (value === false) return undefined;
  return value;
}
