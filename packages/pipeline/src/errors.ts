/**
 * Errors thrown by `@perfusion/pipeline`. Every error extends {@link PipelineError}, so a caller can
 * catch the whole package's failures with one `instanceof` check, or a single kind by its class.
 * Messages say what was wrong, where, and what to do about it.
 */

/** Base class of every error this package throws. */
export class PipelineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The folder given to `loadPipeline` is not a diffusers/optimum ONNX model folder. */
export class ModelFolderError extends PipelineError {
  constructor(
    readonly modelDir: string,
    /** Files the folder lacks, relative to it (empty when the problem is something else). */
    readonly missing: readonly string[],
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `${modelDir} is not a usable model folder: ${detail}. Point at a folder in the diffusers/optimum ONNX layout ` +
        '(model_index.json, scheduler/scheduler_config.json, tokenizer/{vocab.json,merges.txt}, text_encoder/model.onnx, ' +
        'unet/model.onnx, vae_decoder/model.onnx), such as `optimum-cli export onnx --model <sd-1.x model> <folder>` writes.',
      options,
    );
  }
}

/**
 * A generation request has a field with a value the pipeline cannot use. Raised before any model
 * runs; `field` names the request field (`width`, `steps`, ...).
 */
export class InvalidRequestError extends PipelineError {
  constructor(
    /** The request field, or '' when the request itself is not an object. */
    readonly field: string,
    readonly value: unknown,
    /** What was wrong and what to pass instead. */
    readonly reason: string,
    /** `cause`: the error behind it (e.g. a concept file's typed `@perfusion/concept-format` error). */
    options?: ErrorOptions,
  ) {
    super(`generate(request): ${field === '' ? 'the request' : `request.${field}`} is ${describeValue(value)}: ${reason}`, options);
  }
}

/** Which part of a generation failed. */
export type GenerationStage = 'covariance' | 'text-encoder' | 'concepts' | 'denoise-step' | 'preview' | 'vae-decoder';

/**
 * A model (or the denoising step, or the preview decoder) failed during a generation. The message
 * says at which stage and step; `cause` is the original error (for onnxruntime failures the
 * session's error, which lists every feed's name, dtype and dims).
 */
export class GenerationFailedError extends PipelineError {
  constructor(
    readonly stage: GenerationStage,
    /** 0-based step index for `denoise-step` and `preview` failures. */
    readonly stepIndex: number | undefined,
    where: string,
    cause: unknown,
  ) {
    super(`generate(): ${where} failed: ${describeCause(cause)}`, { cause });
  }
}

/** `generate()` or `release()` was used after the pipeline was released, or the pipeline was released mid-generation. */
export class PipelineReleasedError extends PipelineError {
  constructor(what: string) {
    super(`${what}: the pipeline has been released; load a new one with loadPipeline() / createWorkerPipeline().`);
  }
}

/** The worker thread of a worker pipeline could not start, crashed, or exited. */
export class WorkerPipelineError extends PipelineError {}

/**
 * A Perfusion feature was used on a pipeline that cannot provide it: loaded with
 * `perfusion: false`, global locking without `perfusion: { globalLocking: true }`, or a text
 * encoder without added-token support. The message says how to load the pipeline instead.
 */
export class PerfusionUnavailableError extends PipelineError {}

/**
 * `conceptFromWords` cannot build a concept from its arguments (a token already in the vocabulary,
 * a template without `{}`, words that tokenise differently inside the template, ...).
 */
export class ConceptConstructionError extends PipelineError {}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} element(s)`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
