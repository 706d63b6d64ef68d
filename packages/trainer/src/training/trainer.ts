import 'reflect-metadata';
import { writeConcept, CONCEPT_FORMAT_VERSION, DEFAULT_INFERENCE, type ConceptFile } from '@perfusion/concept-format';
import { VAE_ENCODER, VaeEncoder } from '@perfusion/encoders';
import { conceptDirection, project, type CovarianceInverse } from '@perfusion/key-lock';
import type { SessionOptions } from '@perfusion/onnx-graph';
import { loadPipeline, type Pipeline, type PerfusionRuntime } from '@perfusion/pipeline';
import { Rng } from '@perfusion/tensor-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filter, lastValueFrom, Observable, type Subscriber } from 'rxjs';
import { loadTrainingImages, type TrainingImageSet } from '../data/load-training-images.js';
import { AdamW, type ParameterGroup } from '../optim/adamw.js';
import { readCheckpoint, runDifferences, writeCheckpoint } from './checkpoint.js';
import { loadGradientModel, loadUnetTraining, type GradientModelOptions } from './gradient-model.js';
import { microBatchGradients, type GradientModel, type MicroBatch } from './concept-gradients.js';
import { setUpConcept, type ConceptSetup } from './concept-setup.js';
import { CheckpointError, TrainingFailedError, TrainingSetupError } from './errors.js';
import type { TrainingEvent } from './events.js';
import { encodeTrainingLatents, type TrainingLatents } from './latent-cache.js';
import { drawExamples, type TrainingDraw } from './micro-batch.js';
import { TrainingNoiseSchedule } from './noise-schedule.js';
import { fillTemplate } from './prompt-templates.js';
import { resolveTrainingRequest, type KeysMode, type ResolvedTrainingRequest, type TrainingRequest } from './request.js';
import type { TrainingState } from './training-state.js';
import { runIdentity, trainingSummary } from './run-identity.js';

/** Options of {@link ConceptTrainer.load}. */
export interface ConceptTrainerOptions {
  /** onnxruntime session options of every model. Default: CPU with onnxruntime's defaults. */
  readonly session?: SessionOptions;
  /** Folder for the training graphs (default: `.perfusion-cache` beside the model, else the user cache). */
  readonly cacheDir?: string;
  /** Copy weight files that cannot be hard-linked into the cache. Default false. */
  readonly allowCopy?: boolean;
  /** A pipeline already loaded for this model (with Perfusion), reused for encoding and samples. */
  readonly pipeline?: Pipeline;
}

/**
 * Perfusion concept training on one base model. `load` prepares everything that does not depend on
 * the concept — the generation pipeline (text encoder, VAE encoder, patched UNet, covariance), the
 * UNet training graph and the text encoder's gradient graph, each written once beside the model —
 * and `train(request)` runs one training as a cold Observable.
 */
export class ConceptTrainer {
  /** The training running now (settled when none is). */
  private current: Promise<void> = Promise.resolve();
  /** The UNet training graph that also differentiates the keys, loaded by the first run with trained keys. */
  private keyTrainingUnet: Promise<GradientModel['unet']> | undefined;

  private constructor(
    readonly pipeline: Pipeline,
    private readonly perfusion: PerfusionRuntime,
    private readonly model: GradientModel,
    private readonly vae: VaeEncoder,
    private readonly schedule: TrainingNoiseSchedule,
    private readonly ownsPipeline: boolean,
    /** Sessions this trainer created (the training graphs, a VAE encoder the pipeline lacked). */
    private readonly owned: { release(): Promise<void> }[],
    /** How the training graphs are cached and run, for the one loaded later (trained keys). */
    private readonly graphOptions: GradientModelOptions,
  ) {}

  /**
   * @throws TrainingSetupError for a model the trainer cannot use (no cross-attention, a pipeline
   *   without Perfusion, no VAE encoder), and the pipeline's errors for a bad model folder.
   */
  static async load(modelDir: string, options: ConceptTrainerOptions = {}): Promise<ConceptTrainer> {
    const pipeline = options.pipeline ?? (await loadPipeline(modelDir, { ...(options.session && { session: options.session }) }));
    const sessions: { release(): Promise<void> }[] = [];
    try {
      const loaded = await loadGradientModel(pipeline, options);
      sessions.push(...loaded.owned);
      const vae = pipeline.container.isRegistered(VAE_ENCODER, true) ? (pipeline.container.resolve(VAE_ENCODER) as VaeEncoder) : await ownVaeEncoder(pipeline.model.modelDir, options.session, sessions);
      const schedule = TrainingNoiseSchedule.fromConfig(pipeline.model.schedulerConfig, path.join(pipeline.model.modelDir, 'scheduler', 'scheduler_config.json'));
      const graphOptions = {
        ...(options.session !== undefined && { session: options.session }),
        ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
        ...(options.allowCopy !== undefined && { allowCopy: options.allowCopy }),
      };
      return new ConceptTrainer(pipeline, pipeline.perfusion!, loaded.model, vae, schedule, options.pipeline === undefined, sessions, graphOptions);
    } catch (error) {
      await Promise.allSettled(sessions.map((s) => s.release()));
      if (options.pipeline === undefined) await pipeline.release();
      throw error;
    }
  }

  /**
   * Trains a concept. Nothing runs until subscription; unsubscribing stops before the next model
   * call (the last checkpoint stays). Trainings run one at a time: a second subscription starts when
   * the first has finished or stopped.
   * Errors: TrainingSetupError (request, token, supercategory), the data errors (no images,
   * unreadable image, …), CheckpointError (resume from another run), TrainingFailedError.
   */
  train(request: TrainingRequest): Observable<TrainingEvent> {
    return new Observable<TrainingEvent>((subscriber) => {
      let cancelled = false;
      // One training at a time: a new subscription waits until the previous run (perhaps just
      // cancelled, finishing its model call) has let go of the sessions.
      const previous = this.current;
      const run = previous
        .then(() => (cancelled ? undefined : this.run(request, subscriber, () => cancelled)))
        .then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
      this.current = run;
      return () => {
        cancelled = true;
      };
    });
  }

  /** Releases the training sessions (and the pipeline when `load` created it), after a running training has stopped. */
  async release(): Promise<void> {
    // A training stopped by unsubscribing may still be inside a model call: let it finish first.
    await this.current;
    await Promise.allSettled(this.owned.map((s) => s.release()));
    if (this.ownsPipeline) await this.pipeline.release();
  }

  private async run(raw: TrainingRequest, out: Subscriber<TrainingEvent>, isCancelled: () => boolean): Promise<void> {
    const pipelineModel = this.pipeline.model;
    const request = resolveTrainingRequest(raw, pipelineModel.defaultWidth);
    const setup = await setUpConcept(this.perfusion, this.model.encoder, request);
    const images = await loadTrainingImages(request.images, { resolution: request.resolution, flips: request.flips, latentFactor: pipelineModel.vaeScaleFactor });
    for (const image of images.images) {
      if (image.variants.some((v) => v.mask !== undefined && !v.mask.some((x) => x > 0))) {
        throw new TrainingSetupError(`The mask ${image.maskFile} marks nothing at ${images.latentSize} × ${images.latentSize} latent cells (it is black, or its white area is smaller than one cell); paint the concept white or remove the mask.`);
      }
    }
    const run = runIdentity(request, this.perfusion.description.fingerprint, images);
    const resumed = request.resume === undefined ? undefined : await readCheckpoint(request.resume);
    if (resumed !== undefined) {
      const differences = runDifferences(resumed.run, run);
      if (differences.length > 0) {
        // A setting absent from a run's identity is at the default it had before it was recorded (e.g. keys: locked).
        const shown = (value: unknown) => (value === undefined ? 'the default' : JSON.stringify(value));
        throw new CheckpointError(
          `${request.resume} was written by a run with other settings: ${differences.map((k) => `${k} (${shown(resumed.run[k])} there, ${shown(run[k])} now)`).join('; ')}. ` +
            'Resume with the same model, images, token and settings (only --steps may grow), or start a new run.',
        );
      }
      if (resumed.state.step > request.steps) throw new CheckpointError(`${request.resume} is at step ${resumed.state.step}, past the requested ${request.steps} steps; ask for at least ${resumed.state.step}.`);
      if (resumed.state.valueTargets.length !== this.model.weights.length) throw new CheckpointError(`${request.resume} holds ${resumed.state.valueTargets.length} layers; this model has ${this.model.weights.length}.`);
    }
    const state = resumed?.state ?? this.initialState(setup, request.keys);
    const groups = this.parameterGroups(state, request);
    if (resumed !== undefined && state.moments.length !== groups.length) {
      throw new CheckpointError(
        `${request.resume} holds the optimiser moments of ${state.moments.length} parameters; a run with ${request.keys} keys has ${groups.length}. The file is damaged or not from this trainer; start a new run.`,
      );
    }
    const images_count = images.images.length;
    out.next({ type: 'start', request, images: images_count, startStep: resumed?.state.step ?? 0, totalSteps: request.steps });
    const model = await this.gradientModel(request.keys);

    const inverse = await this.perfusion.covarianceStore.ensure({
      onProgress: (p) => out.next({ type: 'preparing', stage: 'covariance', done: p.done, total: p.total }),
      isCancelled,
    });
    if (inverse === undefined || isCancelled()) return;
    const latents = await encodeTrainingLatents(images, this.vae, (done, total) => out.next({ type: 'preparing', stage: 'latents', done, total }), isCancelled);
    if (latents === undefined) return;

    const optimizer = new AdamW(groups, undefined, state.step, state.moments);
    const rng = new Rng(request.seed);
    const started = performance.now();
    const firstStep = state.step;
    while (state.step < request.steps) {
      if (isCancelled()) return;
      const loss = await this.trainStep(model, request, setup, images, latents, state, optimizer, inverse, rng.fork(state.step), isCancelled);
      if (loss === undefined) return;
      state.step += 1;
      state.losses.push(loss);
      const done = state.step - firstStep;
      const stepsPerSecond = done / ((performance.now() - started) / 1000);
      const recent = state.losses.slice(-20);
      out.next({
        type: 'step',
        step: state.step,
        totalSteps: request.steps,
        loss,
        smoothedLoss: recent.reduce((a, b) => a + b, 0) / recent.length,
        stepsPerSecond,
        etaSeconds: (request.steps - state.step) / stepsPerSecond,
      });
      const last = state.step === request.steps;
      if (request.checkpoint !== undefined && (state.step % request.checkpointEvery === 0 || last)) {
        await writeCheckpoint(request.checkpoint, state, run);
        out.next({ type: 'checkpoint', step: state.step, file: request.checkpoint });
      }
      if (request.sampleEvery > 0 && (state.step % request.sampleEvery === 0 || last)) {
        await this.sample(request, this.conceptFile(request, state, images), state.step, out);
      }
    }
    const concept = this.conceptFile(request, state, images);
    let file: string | undefined;
    if (request.out !== undefined) {
      file = path.resolve(request.out);
      await writeConcept(file, concept);
    }
    out.next({ type: 'done', concept, file, steps: state.step, finalLoss: state.losses.at(-1) ?? Number.NaN });
  }

  private initialState(setup: ConceptSetup, keys: KeysMode): TrainingState {
    const valueTargets = this.model.weights.map((layer) => Float32Array.from(project(setup.superEncoding, layer.v)));
    const embedding = Float32Array.from(setup.initialEmbedding);
    const superEncoding = Float32Array.from(setup.superEncoding);
    const trained = [...valueTargets, embedding, ...(keys === 'trained' ? [superEncoding] : [])];
    return {
      step: 0,
      valueTargets,
      embedding,
      inputEncoding: Float64Array.from(setup.initialInputEncoding),
      superEncoding,
      moments: trained.map((v) => ({ m: new Float64Array(v.length), v: new Float64Array(v.length) })),
      losses: [],
    };
  }

  /** AdamW's parameter groups, in the order of the state's moments and of `trainStep`'s gradients. */
  private parameterGroups(state: TrainingState, request: ResolvedTrainingRequest): ParameterGroup[] {
    const { valueLearningRate, embeddingLearningRate, weightDecay } = request;
    return [
      ...state.valueTargets.map((values, i) => ({ name: `value_targets/${this.model.weights[i]!.key}`, values, learningRate: valueLearningRate, weightDecay })),
      { name: 'embedding', values: state.embedding, learningRate: embeddingLearningRate, weightDecay },
      // Like the embedding, the keys' encoding lives in the text encoder's space: it takes the embedding's rate.
      ...(request.keys === 'trained' ? [{ name: 'super_encoding', values: state.superEncoding, learningRate: embeddingLearningRate, weightDecay }] : []),
    ];
  }

  /**
   * The gradient model of a run: the one loaded with the trainer for locked keys; for trained keys
   * the same with the UNet training graph that also differentiates the K rows, built (once per
   * model, cached) and loaded by the first such run and kept until `release`.
   */
  private async gradientModel(keys: KeysMode): Promise<GradientModel> {
    if (keys === 'locked') return this.model;
    this.keyTrainingUnet ??= loadUnetTraining(this.model.patched, { ...this.graphOptions, keys }).then((unet) => {
      this.owned.push(unet.session);
      return unet;
    });
    try {
      return { ...this.model, unet: await this.keyTrainingUnet };
    } catch (error) {
      this.keyTrainingUnet = undefined; // a later run tries again
      throw error;
    }
  }

  /** One optimiser step: the batch's gradients accumulated over micro-batches, AdamW, then i*'s moving average. */
  private async trainStep(
    model: GradientModel,
    request: ResolvedTrainingRequest,
    setup: ConceptSetup,
    images: TrainingImageSet,
    latents: TrainingLatents,
    state: TrainingState,
    optimizer: AdamW,
    inverse: CovarianceInverse,
    rng: Rng,
    isCancelled: () => boolean,
  ): Promise<number | undefined> {
    const [c, h, w] = latents.shape;
    const micro = request.microBatchSize;
    const draws = drawExamples(rng, request.batchSize, {
      images: images.images.length,
      templates: setup.prompts.length,
      flips: request.flips,
      latentSize: c * h * w,
      schedule: this.schedule,
      ...(model.unet.io.timestep.layout !== 'batch' && { sharedTimestepEvery: micro }),
    });
    const direction = conceptDirection(state.inputEncoding, inverse, request.token);
    const dim = state.embedding.length;
    const extraEmbeddings = new Float32Array((setup.extraRow + 1) * dim);
    extraEmbeddings.set(state.embedding, setup.extraRow * dim);
    const params = { valueTargets: state.valueTargets, extraEmbeddings, extraRow: setup.extraRow, direction, superEncoding: state.superEncoding, gate: request.gate };
    const valueGradients = state.valueTargets.map((v) => new Float64Array(v.length));
    const embeddingGradient = new Float64Array(dim);
    const superEncodingGradient = new Float64Array(state.superEncoding.length);
    const encodingSum = new Float64Array(state.inputEncoding.length);
    let loss = 0;
    for (let start = 0; start < draws.length; start += micro) {
      if (isCancelled()) return undefined;
      const batch = this.microBatch(draws.slice(start, start + micro), request, setup, images, latents);
      let result;
      try {
        result = await microBatchGradients(model, batch, params);
      } catch (error) {
        throw new TrainingFailedError(`Training step ${state.step + 1} failed in a model call: ${(error as Error).message}`, { cause: error });
      }
      loss += result.loss;
      result.valueGradients.forEach((g, i) => accumulate(valueGradients[i]!, g));
      accumulate(embeddingGradient, result.embeddingGradient);
      if (result.superEncodingGradient !== undefined) accumulate(superEncodingGradient, result.superEncodingGradient);
      for (const encoding of result.tokenEncodings) accumulate(encodingSum, encoding);
    }
    if (!Number.isFinite(loss)) {
      throw new TrainingFailedError(`Training step ${state.step + 1} gave a non-finite loss (${loss}); lower the learning rates (--lr) or check the model with 'perfusion generate'.`);
    }
    optimizer.step([...valueGradients, embeddingGradient, ...(request.keys === 'trained' ? [superEncodingGradient] : [])]);
    const decay = request.emaDecay;
    for (let i = 0; i < encodingSum.length; i++) state.inputEncoding[i] = decay * state.inputEncoding[i]! + ((1 - decay) * encodingSum[i]!) / draws.length;
    return loss;
  }

  /** Noisy latents, targets, loss weights and prompts of some draws. */
  private microBatch(draws: readonly TrainingDraw[], request: ResolvedTrainingRequest, setup: ConceptSetup, images: TrainingImageSet, latents: TrainingLatents): MicroBatch {
    const [c, h, w] = latents.shape;
    const size = c * h * w;
    const plane = h * w;
    const noisy = new Float32Array(draws.length * size);
    const target = new Float32Array(draws.length * size);
    const weights = new Float32Array(draws.length * plane);
    draws.forEach((draw, k) => {
      const variant = draw.flipped ? 1 : 0;
      this.schedule.noiseSample(latents.latents[draw.image]![variant]!, draw.noise, draw.timestep, noisy, target, k * size);
      const mask = images.images[draw.image]!.variants[variant]!.mask;
      const total = mask === undefined ? plane : mask.reduce((a, b) => a + b, 0);
      const scale = 1 / (c * total * request.batchSize);
      for (let i = 0; i < plane; i++) weights[k * plane + i] = (mask === undefined ? 1 : mask[i]!) * scale;
    });
    return {
      noisy,
      target,
      weights,
      latentShape: [c, h, w],
      prompts: draws.map((d) => setup.prompts[d.template]!.ids),
      positions: draws.map((d) => setup.prompts[d.template]!.position),
      timesteps: draws.map((d) => d.timestep),
    };
  }

  /** The concept as it stands: i* and the trained values, ready for `writeConcept` or a generation. */
  private conceptFile(request: ResolvedTrainingRequest, state: TrainingState, images: TrainingImageSet): ConceptFile {
    const description = this.perfusion.description;
    return {
      formatVersion: CONCEPT_FORMAT_VERSION,
      token: request.token,
      supercategory: request.supercategory,
      inputEncoding: Float32Array.from(state.inputEncoding),
      superEncoding: state.superEncoding.slice(),
      wordEmbedding: state.embedding.slice(),
      valueTargets: this.model.weights.map((layer, i) => ({ layer: layer.key, width: layer.v.width, target: state.valueTargets[i]!.slice() })),
      baseModel: { fingerprint: description.fingerprint, ...(description.name !== undefined && { name: description.name }) },
      defaults: { ...DEFAULT_INFERENCE },
      dtype: 'float32',
      training: trainingSummary(request, state, images),
      createdBy: '@perfusion/trainer',
    };
  }

  /** Generates one image with the concept as it stands (the pipeline's own generation, seeded by the run's seed). */
  private async sample(request: ResolvedTrainingRequest, concept: ConceptFile, step: number, out: Subscriber<TrainingEvent>): Promise<void> {
    const prompt = fillTemplate(request.samplePrompt, request.token);
    const done = await lastValueFrom(
      this.pipeline.generate({ prompt, steps: request.sampleSteps, seed: request.seed, concepts: [{ concept }] }).pipe(filter((e) => e.type === 'done')),
    );
    out.next({ type: 'sample', step, prompt, image: done.images[0]! });
  }
}

function accumulate(into: Float64Array, values: ArrayLike<number>): void {
  for (let i = 0; i < into.length; i++) into[i] += values[i]!;
}

/** The model's VAE encoder, loaded for training (generation pipelines do not load it). */
async function ownVaeEncoder(modelDir: string, session: SessionOptions | undefined, owned: { release(): Promise<void> }[]): Promise<VaeEncoder> {
  const dir = path.join(modelDir, 'vae_encoder');
  if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
    throw new TrainingSetupError(`${modelDir} has no vae_encoder/model.onnx; training needs the VAE encoder to turn the photos into latents. Export the model with its VAE encoder.`);
  }
  const vae = await VaeEncoder.create(dir, session);
  owned.push(vae);
  return vae;
}
