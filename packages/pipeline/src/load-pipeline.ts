import 'reflect-metadata';
import * as path from 'node:path';
import {
  PREVIEW_DECODER,
  TEXT_ENCODER,
  TOKENIZER,
  VAE_DECODER,
  VAE_ENCODER,
  parseTokenizerFiles,
  readTokenizerFiles,
  registerEncoders,
  type ClipTextCleanup,
  type PreviewDecoder,
} from '@perfusion/encoders';
import type { SessionOptions } from '@perfusion/onnx-graph';
import { createScheduler } from '@perfusion/scheduler';
import { createNoiseSource } from '@perfusion/tensor-core';
import { UNET, UNet, patchUnetForPerfusion, readProjectionWeights, registerUnet, resolveUnetModelPath, type PatchedUnet } from '@perfusion/unet';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { DefaultDenoiseStep } from './denoise-step.js';
import { readModelFolder } from './model-folder.js';
import { covarianceCacheDirs } from './perfusion/covariance-cache.js';
import { perfusionLoadOptions, type PerfusionLoadOptions } from './perfusion/load-options.js';
import { describeLayers } from './perfusion/model-description.js';
import { PerfusionRuntime, type PerfusionTextEncoder } from './perfusion/perfusion-runtime.js';
import { Pipeline } from './pipeline.js';
import {
  DENOISE_STEP,
  NOISE_FACTORY,
  PERFUSION,
  PIPELINE_CONTAINER,
  PIPELINE_MODEL,
  PIPELINE_RESOURCES,
  SCHEDULER_FACTORY,
  type Releasable,
} from './tokens.js';

/** How `loadPipeline` builds the pipeline. */
export interface PipelineOptions {
  /** onnxruntime session options for every model (threads, graph optimisation, execution providers). */
  readonly session?: SessionOptions;
  /** Classifier-free guidance as one UNet call on a batch of 2 (default) or two calls (less memory). */
  readonly guidanceBatching?: 'batched' | 'sequential';
  /**
   * Parent of the pipeline's child container. Its registrations of SCHEDULER_FACTORY, NOISE_FACTORY,
   * DENOISE_STEP and PREVIEW_DECODER are used instead of the defaults; the model components are
   * always created in the child. Default: a child of tsyringe's root container (this package
   * registers nothing in the root).
   */
  readonly container?: DependencyContainer;
  /**
   * Step previews: `'sd1'` (SD 1.x's latent → RGB factors), `'fit'` (a linear map fitted once to
   * this model's VAE decoder; for VAEs that are not SD's, such as the test fixtures'), or a decoder.
   * Default: the parent container's PREVIEW_DECODER if it has one, else `'sd1'`.
   */
  readonly preview?: 'sd1' | 'fit' | PreviewDecoder;
  /** Called with the child container after every default is registered: register providers here to override them. */
  readonly configure?: (container: DependencyContainer) => void | Promise<void>;
  /**
   * Perfusion (default `true`): load the UNet patched for concepts (`patchUnetForPerfusion`, cached
   * beside the model) and the text encoder with added-token support, keep the K/V projection weights
   * in memory (float32, 2 · d · Σ widths: about 77 MB for SD 1.5) and register the `PERFUSION`
   * runtime. Requests without concepts feed the patched UNet zero concepts and give the images of
   * the plain model. An object sets global locking and cache folders (see {@link PerfusionLoadOptions});
   * `false` loads the plain UNet and text encoder and refuses requests with concepts.
   */
  readonly perfusion?: boolean | PerfusionLoadOptions;
}

/**
 * Loads a model folder (diffusers/optimum ONNX layout) into a {@link Pipeline}: reads
 * `model_index.json`, `scheduler/scheduler_config.json` and `unet/config.json`, creates the
 * text-encoder, UNet and VAE-decoder sessions in a child container (`registerEncoders`,
 * `registerUnet`), registers the pipeline's defaults (SCHEDULER_FACTORY: the scheduler registry,
 * NOISE_FACTORY: `createNoiseSource`, DENOISE_STEP: {@link DefaultDenoiseStep}), lets
 * `options.configure` override any provider, and resolves the pipeline from the container.
 *
 * @throws {ModelFolderError} when the folder lacks a required file (named in the message).
 */
export async function loadPipeline(modelDir: string, options: PipelineOptions = {}): Promise<Pipeline> {
  const model = await readModelFolder(modelDir);
  const perfusion = perfusionLoadOptions(options.perfusion);
  const child = (options.container ?? rootContainer).createChildContainer();
  const resources: Releasable[] = [];
  try {
    const inherited = options.container?.isRegistered(PREVIEW_DECODER, true) ? options.container.resolve(PREVIEW_DECODER) : undefined;
    await registerEncoders(child, {
      modelDir: model.modelDir,
      ...(options.session && { session: options.session }),
      preview: options.preview ?? inherited ?? 'sd1',
      ...(perfusion !== undefined && {
        addedTokens: { ...(perfusion.textEncoderCacheDir !== undefined && { cacheDir: perfusion.textEncoderCacheDir }), allowCopy: perfusion.allowCopy === true },
      }),
    });
    collect(child, [TEXT_ENCODER, VAE_DECODER, VAE_ENCODER], resources);
    let patched: PatchedUnet | undefined;
    if (perfusion === undefined) {
      await registerUnet(child, {
        modelDir: model.modelDir,
        ...(options.session && { session: options.session }),
        ...(options.guidanceBatching && { guidanceBatching: options.guidanceBatching }),
      });
    } else {
      patched = await patchUnetForPerfusion(await resolveUnetModelPath(model.modelDir), {
        separateKeyStates: perfusion.globalLocking === true,
        ...(perfusion.unetCacheDir !== undefined && { cacheDir: perfusion.unetCacheDir }),
        allowCopy: perfusion.allowCopy === true,
      });
      const unet = await UNet.create(patched.modelPath, { session: options.session, guidanceBatching: options.guidanceBatching });
      child.register(UNET, { useValue: unet });
    }
    collect(child, [UNET], resources);
    const perfusionParts = patched === undefined ? undefined : await perfusionModelParts(model.modelDir, child, patched, perfusion!);

    registerDefault(child, SCHEDULER_FACTORY, createScheduler);
    registerDefault(child, NOISE_FACTORY, createNoiseSource);
    registerDefault(child, DENOISE_STEP, new DefaultDenoiseStep());
    child.register(PIPELINE_MODEL, { useValue: model });
    child.register(PIPELINE_RESOURCES, { useValue: Object.freeze([...resources]) });
    child.register(PIPELINE_CONTAINER, { useValue: child });

    await options.configure?.(child);
    if (perfusionParts !== undefined && !child.isRegistered(PERFUSION, true)) {
      const encoder = child.resolve(TEXT_ENCODER) as PerfusionTextEncoder;
      child.register(PERFUSION, { useValue: new PerfusionRuntime({ ...perfusionParts, encoder }) });
    }
    return child.resolve(Pipeline);
  } catch (error) {
    await Promise.allSettled(resources.map((resource) => resource.release()));
    throw error;
  }
}

/** What the Perfusion runtime is made of, besides the text encoder (resolved after `configure`). */
async function perfusionModelParts(modelDir: string, container: DependencyContainer, patched: PatchedUnet, options: PerfusionLoadOptions) {
  const weights = await readProjectionWeights(patched.modelPath, patched.layers);
  const encoder = container.resolve(TEXT_ENCODER);
  const tokenizerDir = path.join(modelDir, 'tokenizer');
  const tokenizerDefinition = parseTokenizerFiles(await readTokenizerFiles(tokenizerDir), tokenizerDir);
  const tokenizer = container.resolve(TOKENIZER) as { cleanup?: ClipTextCleanup };
  return {
    description: describeLayers(modelDir, patched.layers, weights, encoder.tokenEmbeddingDim ?? patched.layers[0]!.dim),
    patched,
    weights,
    tokenizerDefinition,
    cleanup: tokenizer.cleanup ?? 'fast',
    covarianceDirs: covarianceCacheDirs(modelDir, options.covarianceCacheDir),
  };
}

/** Registers `value` unless the container (or an ancestor) already provides the token. */
function registerDefault<T>(container: DependencyContainer, token: InjectionToken<T>, value: T): void {
  if (!container.isRegistered(token, true)) container.register(token, { useValue: value });
}

/** The releasable components the container itself (not an ancestor) holds under these tokens. */
function collect(container: DependencyContainer, tokens: readonly InjectionToken<unknown>[], into: Releasable[]): void {
  for (const token of tokens) {
    if (!container.isRegistered(token)) continue;
    const component = container.resolve(token);
    if (typeof (component as Partial<Releasable> | null)?.release === 'function' && !into.includes(component as Releasable)) {
      into.push(component as Releasable);
    }
  }
}
