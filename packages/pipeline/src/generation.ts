import { imageFromTensor, type PreviewDecoder, type RgbImage, type VaeDecoder } from '@perfusion/encoders';
import { Tensor, UnknownNoiseModeError, type NoiseMode, type NoiseSource } from '@perfusion/tensor-core';
import type { DenoiseStep, DenoiseStepArgs, NoisePredictor } from './denoise-step.js';
import { GenerationFailedError, InvalidRequestError, type GenerationStage } from './errors.js';
import type { ConceptTokenMissingWarning, GenerationEvent, StepEvent } from './events.js';
import { initialLatents } from './initial-latents.js';
import type { PipelineModel } from './model-folder.js';
import type { ConceptPlan } from './perfusion/concept-plan.js';
import { encodeConceptPrompts } from './perfusion/concept-conditioning.js';
import { planConcepts } from './perfusion/plan-concepts.js';
import type { PerfusionRuntime } from './perfusion/perfusion-runtime.js';
import type { ResolvedGenerationRequest } from './request.js';
import { repeatRows, tokenizePrompts, type PromptEncoder, type PromptTokenizer } from './text-conditioning.js';
import type { NoiseFactory, SchedulerFactory } from './tokens.js';
import { validateRequest } from './validate-request.js';

/** Everything a generation uses, as the pipeline resolved it from its container. */
export interface GenerationComponents {
  readonly tokenizer: PromptTokenizer;
  readonly textEncoder: PromptEncoder;
  readonly unet: NoisePredictor & { readonly inChannels: number };
  readonly vaeDecoder: Pick<VaeDecoder, 'decode'>;
  readonly previewDecoder: PreviewDecoder;
  readonly denoiseStep: DenoiseStep;
  readonly schedulerFactory: SchedulerFactory;
  readonly noiseFactory: NoiseFactory;
  readonly model: PipelineModel;
  /** Perfusion (patched UNet, concepts, covariance); undefined for a pipeline loaded with `perfusion: false`. */
  readonly perfusion: PerfusionRuntime | undefined;
}

/**
 * Receives the events of one generation. When it returns a promise, the generation waits for it
 * before its next model call (the worker uses this to hand each event to the main thread first).
 */
export type GenerationListener = (event: GenerationEvent) => void | Promise<void>;

/** Read by the loop between model calls; once `cancelled` is true it emits nothing more and stops. */
export interface CancellationState {
  readonly cancelled: boolean;
}

/** How a generation ended when it did not throw. */
export type GenerationOutcome = 'completed' | 'cancelled';

const now = (): number => performance.now();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One generation: validation (throws {@link InvalidRequestError} before any model runs), text
 * encoding, the denoising loop and the VAE decode, sending events to `listen`. Checks `cancel`
 * before every model call and after every await; a cancelled run returns 'cancelled' without
 * emitting anything more (a model call already in flight finishes and its result is dropped).
 */
export async function runGeneration(
  components: GenerationComponents,
  rawRequest: unknown,
  listen: GenerationListener,
  cancel: CancellationState,
): Promise<GenerationOutcome> {
  const { tokenizer, textEncoder, unet, vaeDecoder, previewDecoder, denoiseStep, model, perfusion } = components;
  const validated = validateRequest(rawRequest, model, components.schedulerFactory);
  const { scheduler } = validated;
  const plan = await planConcepts(perfusion, validated);
  if (cancel.cancelled) return 'cancelled';
  const request: ResolvedGenerationRequest = { ...validated.request, concepts: plan?.resolved ?? [] };
  const guided = request.guidanceScale > 1;
  const prompts = tokenizePrompts(plan?.tokenizer ?? tokenizer, request.prompt, request.negativePrompt, guided);
  const warnings = [...prompts.warnings, ...(plan === undefined ? [] : missingTokenWarnings(plan, prompts.rows.at(-1)!))];
  const noise = makeNoise(components.noiseFactory, request.noise, request.seed);

  const timesteps = scheduler.timesteps;
  const total = timesteps.length;
  const scale = model.vaeScaleFactor;
  const shape = [request.batchSize, unet.inChannels, request.height / scale, request.width / scale] as const;
  const perImage = shape[1] * shape[2] * shape[3];
  const timings = { totalMs: 0, textEncoderMs: 0, conceptsMs: 0, unetMs: 0, schedulerMs: 0, vaeMs: 0 };
  const started = now();

  // Delivers an event unless cancelled; waits when the listener returns a promise. Callers check
  // `cancel.cancelled` after awaiting it: the listener may cancel synchronously.
  const emit = async (event: GenerationEvent): Promise<void> => {
    if (cancel.cancelled) return;
    const pending = listen(event);
    if (pending !== undefined) await pending;
  };

  await emit({ type: 'start', request, seed: request.seed, totalSteps: total });
  if (cancel.cancelled) return 'cancelled';
  for (const warning of warnings) {
    await emit(warning);
    if (cancel.cancelled) return 'cancelled';
  }

  if (plan !== undefined) {
    // The first generation with concepts on a model computes (then caches) the covariance C.
    await guard('covariance', undefined, 'the covariance of the text encodings', () =>
      perfusion!.ensureCovariance({ onProgress: (p) => emit({ type: 'preparing', stage: 'covariance', done: p.done, total: p.total }), isCancelled: () => cancel.cancelled }),
    );
    if (cancel.cancelled) return 'cancelled';
  }

  let mark = now();
  const { encoded, keyEncoded } = await guard('text-encoder', undefined, 'the text encoder', () =>
    plan === undefined ? textEncoder.encode(prompts.rows).then((e) => ({ encoded: e, keyEncoded: undefined })) : encodeConceptPrompts(textEncoder, plan, prompts.rows),
  );
  timings.textEncoderMs = now() - mark;
  if (cancel.cancelled) return 'cancelled';
  const embeddings = repeatRows(encoded, request.batchSize);

  mark = now();
  const feeds = await guard('concepts', undefined, "the concepts' coefficients", () => {
    if (perfusion === undefined) return undefined;
    if (plan === undefined) return perfusion.unetFeeds(embeddings);
    const { coefficients, rowSet } = perfusion.conditioning(plan, encoded.data);
    const [rows, tokens] = encoded.shape as [number, number, number];
    const perRow = new Tensor('float32', coefficients, [rows, tokens, coefficients.length / (rows * tokens)]);
    const keyStates = keyEncoded === undefined ? undefined : repeatRows(keyEncoded, request.batchSize);
    return perfusion.unetFeeds(embeddings, { coefficients: repeatRows(perRow, request.batchSize).data, rowSet }, keyStates);
  });
  timings.conceptsMs = plan === undefined ? 0 : now() - mark;

  let latents: Float32Array = initialLatents(noise, request.batchSize * perImage, scheduler.initNoiseSigma);
  // The step sees a UNet that already feeds the Perfusion inputs (steps never deal with them).
  const timedUnet: NoisePredictor = {
    predictNoise: async (args) => {
      const t0 = now();
      try {
        return await unet.predictNoise(feeds === undefined ? args : { ...args, extraFeeds: { ...feeds, ...args.extraFeeds } });
      } finally {
        timings.unetMs += now() - t0;
      }
    },
  };

  for (let index = 0; index < total; index++) {
    if (cancel.cancelled) return 'cancelled';
    const timestep = timesteps[index]!;
    const args: DenoiseStepArgs = {
      unet: timedUnet,
      scheduler,
      latents,
      shape,
      timestep,
      embeddings,
      guidanceScale: request.guidanceScale,
      index,
      total,
      noise,
    };
    mark = now();
    const unetBefore = timings.unetMs;
    latents = await guard('denoise-step', index, `denoising step ${index + 1} of ${total} (timestep ${timestep})`, () => denoiseStep.step(args));
    timings.schedulerMs += now() - mark - (timings.unetMs - unetBefore);
    if (cancel.cancelled) return 'cancelled';

    let preview: RgbImage[] | undefined;
    if (request.previews) {
      const current = latents;
      preview = await guard('preview', index, `the preview of step ${index + 1}`, () => {
        const images: RgbImage[] = [];
        for (let b = 0; b < request.batchSize; b++) {
          images.push(previewDecoder.preview(current.subarray(b * perImage, (b + 1) * perImage), shape[1], shape[2], shape[3]));
        }
        return images;
      });
    }
    const event: Mutable<StepEvent> = { type: 'step', index, total, timestep };
    if (preview !== undefined) event.preview = preview;
    if (request.returnLatents) event.latents = latents.slice();
    await emit(event);
    if (cancel.cancelled) return 'cancelled';
  }

  if (cancel.cancelled) return 'cancelled';
  mark = now();
  const final = latents;
  const images = await guard('vae-decoder', undefined, 'the VAE decoder', async () => {
    const decoded = await vaeDecoder.decode(new Tensor('float32', final, shape));
    return Array.from({ length: request.batchSize }, (_, b) => imageFromTensor(decoded, b));
  });
  timings.vaeMs = now() - mark;
  if (cancel.cancelled) return 'cancelled';
  timings.totalMs = now() - started;
  await emit({ type: 'done', images, seed: request.seed, timings: { ...timings } });
  return 'completed';
}

/** A warning per concept whose token the (conditional) prompt does not contain. */
function missingTokenWarnings(plan: ConceptPlan, promptIds: Int32Array): ConceptTokenMissingWarning[] {
  return plan.concepts.flatMap((c, conceptIndex): ConceptTokenMissingWarning[] => {
    if (promptIds.includes(c.tokenId)) return [];
    const token = c.loaded.concept.token;
    return [
      {
        type: 'warning',
        code: 'concept-token-missing',
        token,
        conceptIndex,
        message: `The prompt does not contain the token of concepts[${conceptIndex}], '${token}' (or it was cut off), so the concept barely shows; write it in the prompt, e.g. "a photo of ${token}".`,
      },
    ];
  });
}

/** The generation's noise source; a factory that rejects the mode or seed makes the request invalid. */
function makeNoise(factory: NoiseFactory, mode: NoiseMode, seed: number): NoiseSource {
  try {
    return factory(mode, seed);
  } catch (error) {
    const field = error instanceof UnknownNoiseModeError ? 'noise' : 'seed';
    throw new InvalidRequestError(field, field === 'noise' ? mode : seed, `the noise factory rejects it (${(error as Error).message}).`);
  }
}

/** Runs one stage, turning its failure into a {@link GenerationFailedError} that says where. */
async function guard<T>(stage: GenerationStage, stepIndex: number | undefined, where: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new GenerationFailedError(stage, stepIndex, where, error);
  }
}
