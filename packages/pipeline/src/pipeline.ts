import 'reflect-metadata';
import type { ConceptFile } from '@perfusion/concept-format';
import { PREVIEW_DECODER, TEXT_ENCODER, TOKENIZER, VAE_DECODER, type PreviewDecoder, type VaeDecoder } from '@perfusion/encoders';
import { UNET } from '@perfusion/unet';
import { Observable } from 'rxjs';
import { inject, injectable, type DependencyContainer } from 'tsyringe';
import type { DenoiseStep, NoisePredictor } from './denoise-step.js';
import { PerfusionUnavailableError, PipelineReleasedError } from './errors.js';
import type { GenerationEvent } from './events.js';
import { runGeneration, type GenerationComponents, type GenerationListener, type GenerationOutcome } from './generation.js';
import type { PipelineModel } from './model-folder.js';
import type { CovarianceProgress } from './perfusion/compute-covariance.js';
import type { CovarianceInfo, CovarianceOptions } from './perfusion/covariance-store.js';
import type { ConceptFromWordsOptions } from './perfusion/from-words.js';
import { inspectConceptGates, type ConceptGateReport } from './perfusion/inspect-gates.js';
import type { ConceptCompatibility, PerfusionRuntime } from './perfusion/perfusion-runtime.js';
import type { GenerationRequest } from './request.js';
import type { PromptEncoder, PromptTokenizer } from './text-conditioning.js';
import {
  DENOISE_STEP,
  NOISE_FACTORY,
  PIPELINE_CONTAINER,
  PIPELINE_MODEL,
  PERFUSION,
  PIPELINE_RESOURCES,
  SCHEDULER_FACTORY,
  type NoiseFactory,
  type Releasable,
  type SchedulerFactory,
} from './tokens.js';

/** A running generation started by {@link Pipeline.startGeneration}. */
export interface GenerationHandle {
  /** Stops the generation before its next model call; it emits nothing more. Idempotent. */
  cancel(): void;
  /**
   * Settles once the generation's loop has stopped (a model call in flight included):
   * 'completed' after `done`, 'cancelled' after `cancel()`; rejects with the error otherwise.
   */
  readonly finished: Promise<GenerationOutcome>;
}

/** What both the main-thread {@link Pipeline} and the worker pipeline offer. */
export interface ImagePipeline {
  generate(request: GenerationRequest): Observable<GenerationEvent>;
  release(): Promise<void>;
}

interface ActiveRun {
  stop(reason?: Error): void;
  readonly finished: Promise<unknown>;
}

/**
 * Text-to-image generation over components resolved from a tsyringe container (see
 * `loadPipeline`). Every constructor parameter is an injection token; nothing is constructed in
 * the denoising loop except the per-generation scheduler and noise source, which come from the
 * injected factories.
 */
@injectable()
export class Pipeline implements ImagePipeline {
  private readonly components: GenerationComponents;
  private readonly active = new Set<ActiveRun>();
  private releasing: Promise<void> | undefined;
  /**
   * The Perfusion runtime (registered under `PERFUSION` by `loadPipeline`): the base model's
   * description (`fingerprint`, `layers`, dims), the patched UNet, the covariance and the concept
   * caches with their `stats`. Undefined for a pipeline loaded with `perfusion: false`.
   */
  readonly perfusion: PerfusionRuntime | undefined;

  constructor(
    @inject(TOKENIZER) tokenizer: PromptTokenizer,
    @inject(TEXT_ENCODER) textEncoder: PromptEncoder,
    @inject(UNET) unet: NoisePredictor & { readonly inChannels: number },
    @inject(SCHEDULER_FACTORY) schedulerFactory: SchedulerFactory,
    @inject(VAE_DECODER) vaeDecoder: Pick<VaeDecoder, 'decode'>,
    @inject(NOISE_FACTORY) noiseFactory: NoiseFactory,
    @inject(PREVIEW_DECODER) previewDecoder: PreviewDecoder,
    @inject(DENOISE_STEP) denoiseStep: DenoiseStep,
    @inject(PIPELINE_MODEL) readonly model: PipelineModel,
    @inject(PIPELINE_RESOURCES) private readonly resources: readonly Releasable[],
    @inject(PIPELINE_CONTAINER) readonly container: DependencyContainer,
  ) {
    this.perfusion = container.isRegistered(PERFUSION, true) ? container.resolve(PERFUSION) : undefined;
    this.components = { tokenizer, textEncoder, unet, vaeDecoder, previewDecoder, denoiseStep, schedulerFactory, noiseFactory, model, perfusion: this.perfusion };
  }

  /**
   * The base model's covariance C of text encodings, which concepts' gates are measured in: the one
   * loaded, else the cached file (`<model>/.perfusion-cache/covariance-<fingerprint>.safetensors`),
   * else computed from the built-in caption corpus (with `onProgress`) and cached. Generations with
   * concepts call this themselves (emitting `preparing` events); call it ahead to pay the cost at a
   * time of your choosing (`perfusion covariance --model DIR`). See {@link CovarianceOptions}.
   * @throws PerfusionUnavailableError for a pipeline loaded with `perfusion: false`.
   * @throws CovarianceMismatchError (concept-format) for `options.file` computed for another model.
   */
  covariance(options?: CovarianceOptions): Promise<CovarianceInfo> {
    return this.withPerfusion('covariance', (p) => p.covariance(options));
  }

  /**
   * A concept made from a phrase, without training (see `ConceptFromWordsOptions`): a prompt with
   * its token then behaves like one with the words. Write it with concept-format's `writeConcept`.
   * @throws ConceptConstructionError for a token already in the vocabulary or a template that does not fit.
   */
  conceptFromWords(options: ConceptFromWordsOptions): Promise<ConceptFile> {
    return this.withPerfusion('conceptFromWords', (p) => p.conceptFromWords(options));
  }

  /**
   * A concept (a path or an object) checked strictly and compared with this model: base-model
   * fingerprint, layers and widths, encoding and embedding widths (concept-format's `compatibility`;
   * no problems means it can be used). For `perfusion inspect FILE --model DIR`.
   * @throws concept-format's typed errors when the file itself is invalid.
   */
  conceptCompatibility(concept: string | ConceptFile): Promise<ConceptCompatibility> {
    return this.withPerfusion('conceptCompatibility', (p) => p.compatibility(concept));
  }

  /**
   * The sim and gate of every concept at every token of the request's prompts, and the coefficient
   * matrix, exactly as `generate(request)` would compute them (computing the covariance first if
   * needed, with `onProgress`); no UNet call. @throws InvalidRequestError as `generate` would.
   */
  inspectConcepts(request: GenerationRequest, onProgress?: (progress: CovarianceProgress) => void | Promise<void>): Promise<ConceptGateReport> {
    return this.withPerfusion('inspectConcepts', () => inspectConceptGates(this.components, request, onProgress));
  }

  private async withPerfusion<T>(what: string, work: (perfusion: PerfusionRuntime) => Promise<T>): Promise<T> {
    if (this.releasing !== undefined) throw new PipelineReleasedError(`${what}()`);
    if (this.perfusion === undefined) {
      throw new PerfusionUnavailableError(`${what}(): the pipeline was loaded with { perfusion: false }; load it with Perfusion (the default) to use concepts.`);
    }
    return work(this.perfusion);
  }

  /**
   * A cold Observable of one generation per subscription: nothing runs until `subscribe`; the
   * request is validated first (an invalid one errors with `InvalidRequestError` before any model
   * runs); then `start`, any `warning`s, one `step` per scheduler timestep, `done`, complete.
   * Unsubscribing stops the generation before its next model call and emits nothing more.
   */
  generate(request: GenerationRequest): Observable<GenerationEvent> {
    return new Observable<GenerationEvent>((subscriber) => {
      const handle = this.startGeneration(request, (event) => subscriber.next(event));
      handle.finished.then(
        (outcome) => {
          if (outcome === 'completed') subscriber.complete();
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => handle.cancel();
    });
  }

  /**
   * Starts one generation now (the primitive under {@link generate}): validates, then sends every
   * event to `listener`. If `listener` returns a promise, the generation waits for it before its
   * next model call.
   */
  startGeneration(request: GenerationRequest, listener: GenerationListener): GenerationHandle {
    if (this.releasing !== undefined) {
      return { cancel: () => undefined, finished: Promise.reject(new PipelineReleasedError('generate()')) };
    }
    const state: { cancelled: boolean; reason?: Error } = { cancelled: false };
    const stop = (reason?: Error): void => {
      if (state.cancelled) return;
      state.cancelled = true;
      state.reason = reason;
    };
    const finished = runGeneration(this.components, request, listener, state).then(
      (outcome) => {
        if (state.reason !== undefined) throw state.reason;
        return outcome;
      },
      (error: unknown) => {
        if (state.reason !== undefined) throw state.reason;
        // A model call that fails after cancellation is not reported: nobody is listening.
        if (state.cancelled) return 'cancelled' as const;
        throw error;
      },
    );
    const run: ActiveRun = { stop, finished };
    this.active.add(run);
    const forget = (): void => void this.active.delete(run);
    finished.then(forget, forget);
    return { cancel: () => stop(), finished };
  }

  /**
   * Frees the onnxruntime sessions `loadPipeline` created. Running generations stop before their
   * next model call and error with `PipelineReleasedError`; later `generate()` calls error the same
   * way. Resolves once every session is released; calling it again returns the same promise.
   */
  release(): Promise<void> {
    this.releasing ??= this.releaseNow();
    return this.releasing;
  }

  private async releaseNow(): Promise<void> {
    const runs = [...this.active];
    for (const run of runs) run.stop(new PipelineReleasedError('generate()'));
    await Promise.allSettled(runs.map((run) => run.finished));
    const failures: unknown[] = [];
    for (const resource of new Set(this.resources)) {
      try {
        await resource.release();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `Pipeline.release(): ${failures.length} sessions failed to release.`);
  }
}
