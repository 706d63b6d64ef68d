import * as path from 'node:path';
import { OnnxSession, type SessionOptions } from '@perfusion/onnx-graph';
import { Tensor, toFloat16Array, toFloat32Array, type DType } from '@perfusion/tensor-core';
import {
  BatchMismatchError,
  HiddenStatesShapeError,
  HiddenStatesWidthError,
  SampleShapeError,
  UnetArgumentError,
  UnetModelInputsError,
  UnetModelShapeError,
  UnetReleasedError,
} from './errors.js';
import { ExtraFeeds, type RowRange } from './extra-feeds.js';
import { applyGuidance } from './guidance.js';
import {
  HIDDEN_STATES_INPUT,
  inspectUnetIo,
  SAMPLE_INPUT,
  TIMESTEP_INPUT,
  type FloatDType,
  type TimestepDType,
  type TimestepLayout,
  type UnetIo,
} from './model-io.js';
import { repeatInto, rowsOf } from './rows.js';
import { ScratchBuffers } from './scratch-buffers.js';
import { TimestepCache } from './timestep.js';
import { readUnetConfig, type UnetConfig } from './unet-config.js';

/**
 * How the two halves of classifier-free guidance run: `batched` — one model call of 2B rows
 * (unconditional and conditional together; fastest, as diffusers does); `sequential` — two calls
 * of B rows (half the activation memory, for tight memory).
 */
export type GuidanceBatching = 'batched' | 'sequential';
export const GUIDANCE_BATCHINGS: readonly GuidanceBatching[] = ['batched', 'sequential'];

/** Options of {@link UNet.create}. */
export interface UNetOptions {
  /** onnxruntime session options (threads, graph optimisation, execution providers with CPU fallback). */
  readonly session?: SessionOptions;
  /** Default `'batched'`. */
  readonly guidanceBatching?: GuidanceBatching;
  /** The diffusers `config.json` to read `in_channels` / `cross_attention_dim` from when the graph leaves them symbolic; default: `config.json` beside the model. */
  readonly configPath?: string;
}

/** Options of {@link UNet.fromSession}. */
export interface UNetFromSessionOptions {
  readonly guidanceBatching?: GuidanceBatching;
  /** Numbers from a diffusers config.json, used where the graph leaves them symbolic. */
  readonly config?: UnetConfig;
  /** Hears of disagreements between the graph and `config`. */
  readonly onWarning?: (message: string) => void;
}

/** The arguments of {@link UNet.predictNoise}. */
export interface PredictNoiseArgs {
  /** `[B, inChannels, h, w]` float32 latents, already scaled by the scheduler's `scaleModelInput`. */
  readonly sample: Tensor<'float32'>;
  /** The scheduler's timestep; truncated toward zero for models with an integer timestep. */
  readonly timestep: number;
  /**
   * float32 `[rows, sequence, crossAttentionDim]`: when `guidanceScale > 1`, 2B rows, the B
   * unconditional (negative-prompt) rows first, then the B conditional ones; otherwise B
   * conditional rows (2B rows are accepted too, and only the conditional half is used).
   */
  readonly encoderHiddenStates: Tensor<'float32'>;
  /** Classifier-free guidance scale g: noise = uncond + g·(cond − uncond) when g > 1; one conditional pass when g ≤ 1. */
  readonly guidanceScale: number;
  /**
   * Further model inputs (e.g. Perfusion's surgery inputs), merged into every call's feeds. A feed
   * whose model input has a symbolic first dimension and whose first dimension equals the number
   * of `encoderHiddenStates` rows is batch-aligned and split with the hidden states (see
   * {@link ExtraFeeds}); all others go unchanged to every call.
   */
  readonly extraFeeds?: Readonly<Record<string, Tensor>>;
}

/**
 * A diffusers UNet (`UNet2DConditionModel` exported to ONNX) behind one call per denoising step:
 * `predictNoise` feeds the latents, the timestep in the dtype and shape the model declares, and the
 * text states, applies classifier-free guidance, and returns float32 noise whatever the model's
 * precision. Batch buffers are reused between calls of the same shape. Calls run one at a time
 * (concurrent calls queue). The UNet owns its session: `release()` it when done.
 */
export class UNet {
  /** The model file (or the session's path for {@link UNet.fromSession}). */
  readonly modelPath: string;
  /** Latent channels `sample` must have (dim 1). */
  readonly inChannels: number;
  /** Width of `encoderHiddenStates` (dim 2). */
  readonly crossAttentionDim: number;
  /** The dtype the model's `timestep` input takes. */
  readonly timestepDType: TimestepDType;
  /** How the model's `timestep` is shaped: `[batch]`, `[1]` or a scalar. */
  readonly timestepLayout: TimestepLayout;
  /** The dtype the model's `sample` input takes; float16 models get float16 feeds, callers always pass float32. */
  readonly sampleDType: FloatDType;
  /** The dtype the model's `encoder_hidden_states` input takes. */
  readonly hiddenStatesDType: FloatDType;
  /** `sample_size` from config.json (default latent height and width), when known. */
  readonly sampleSize: number | undefined;
  readonly guidanceBatching: GuidanceBatching;
  /** The session (for its `stats`: calls and time spent inside onnxruntime). */
  readonly session: OnnxSession;
  /** Inputs and output as read from the model. */
  readonly io: UnetIo;

  private readonly buffers = new ScratchBuffers();
  private readonly timesteps: TimestepCache;
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(session: OnnxSession, io: UnetIo, config: UnetConfig | undefined, guidanceBatching: GuidanceBatching) {
    this.session = session;
    this.io = io;
    this.modelPath = session.path;
    this.inChannels = io.inChannels;
    this.crossAttentionDim = io.crossAttentionDim;
    this.timestepDType = io.timestep.dtype;
    this.timestepLayout = io.timestep.layout;
    this.sampleDType = io.sample.dtype;
    this.hiddenStatesDType = io.hiddenStates.dtype;
    this.sampleSize = config?.sampleSize;
    this.guidanceBatching = guidanceBatching;
    const fixedRows = io.timestep.layout === 'batch' && typeof io.timestep.shape[0] === 'number' ? io.timestep.shape[0] : undefined;
    this.timesteps = new TimestepCache(io.timestep.dtype, io.timestep.layout, fixedRows);
  }

  /**
   * Opens `modelPath` (a UNet `model.onnx`; external weights beside it are found by onnxruntime)
   * and reads its interface. `config.json` beside the model (or `options.configPath`) supplies the
   * channel count and cross-attention width where the graph leaves them symbolic.
   */
  static async create(modelPath: string, options: UNetOptions = {}): Promise<UNet> {
    const batching = checkBatching(options.guidanceBatching);
    const config = await readUnetConfig(options.configPath ?? path.join(path.dirname(modelPath), 'config.json'));
    return OnnxSession.createOwned(modelPath, options.session ?? {}, (session) =>
      UNet.fromSession(session, { guidanceBatching: batching, config, onWarning: options.session?.onWarning }),
    );
  }

  /** A UNet over an open session, which it then owns (its `release()` releases the session). */
  static fromSession(session: OnnxSession, options: UNetFromSessionOptions = {}): UNet {
    const batching = checkBatching(options.guidanceBatching);
    const io = inspectUnetIo(session.path, session.inputs, session.outputNames, options.config, options.onWarning);
    return new UNet(session, io, options.config, batching);
  }

  /**
   * The guided noise prediction for one denoising step: `[B, C, h, w]` float32 (a new array the
   * caller owns). With `guidanceScale > 1` the unconditional and conditional predictions run in
   * one call of 2B rows (`batched`) or two calls of B (`sequential`) and are combined as
   * `uncond + g·(cond − uncond)`; otherwise one call of B conditional rows.
   */
  predictNoise(args: PredictNoiseArgs): Promise<Tensor<'float32'>> {
    const run = (): Promise<Tensor<'float32'>> => this.predictNow(args);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Releases the session once the calls already queued have finished. Further calls throw {@link UnetReleasedError}. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    this.buffers.clear();
    await this.session.release();
  }

  private async predictNow(args: PredictNoiseArgs): Promise<Tensor<'float32'>> {
    if (this.released) throw new UnetReleasedError(this.modelPath);
    const { sample, timestep, encoderHiddenStates: hidden, guidanceScale } = args;
    if (typeof guidanceScale !== 'number' || !Number.isFinite(guidanceScale)) {
      throw new UnetArgumentError(`predictNoise: guidanceScale is ${String(guidanceScale)}; pass a finite number (7.5 is usual, ≤ 1 turns guidance off).`);
    }
    const batch = this.checkSample(sample);
    this.checkHiddenStates(hidden);
    const rows = hidden.shape[0]!;
    const guided = guidanceScale > 1;
    if (guided ? rows !== 2 * batch : rows !== batch && rows !== 2 * batch) throw new BatchMismatchError(batch, rows, guidanceScale);
    const extra = new ExtraFeeds(args.extraFeeds, this.io.extraInputs, rows);

    if (!guided) {
      const condRows: RowRange | undefined = rows === batch ? undefined : { start: batch, count: batch };
      const cond = condRows === undefined ? hidden : rowsOf(hidden, batch, batch);
      const output = await this.call(this.sampleFeed(sample, 1), this.hiddenFeed(cond), timestep, batch, extra.forRows(condRows));
      return this.ownedFloat32(output);
    }

    if (this.guidanceBatching === 'batched') {
      const output = await this.call(this.sampleFeed(sample, 2), this.hiddenFeed(hidden), timestep, 2 * batch, extra.forRows());
      const both = this.float32View(output, 'out');
      const result = new Float32Array(both.length / 2);
      applyGuidance(both.subarray(0, result.length), both.subarray(result.length), guidanceScale, result);
      return new Tensor('float32', result, [batch, ...output.shape.slice(1)]);
    }

    const sampleFeed = this.sampleFeed(sample, 1);
    const hiddenFeed = this.hiddenFeed(hidden);
    const uncondRows = { start: 0, count: batch };
    const condRows = { start: batch, count: batch };
    const uncondOut = await this.call(sampleFeed, rowsOf(hiddenFeed, 0, batch), timestep, batch, extra.forRows(uncondRows));
    const uncond = this.float32View(uncondOut, 'uncond');
    const condOut = await this.call(sampleFeed, rowsOf(hiddenFeed, batch, batch), timestep, batch, extra.forRows(condRows));
    const cond = this.float32View(condOut, 'cond');
    if (uncond.length !== cond.length) throw new UnetModelShapeError(`${this.modelPath}: the two guidance passes returned outputs of different sizes.`);
    const result = applyGuidance(uncond, cond, guidanceScale, new Float32Array(cond.length));
    return new Tensor('float32', result, condOut.shape);
  }

  /** Runs the model on `rows` rows; returns the noise output (float32 or float16, `[rows, ...]`). */
  private async call(sample: Tensor, hidden: Tensor, timestep: number, rows: number, extra: Record<string, Tensor>): Promise<Tensor> {
    this.checkFixedBatch(rows);
    const feeds: Record<string, Tensor> = {
      ...extra,
      [SAMPLE_INPUT]: sample,
      [TIMESTEP_INPUT]: this.timesteps.get(timestep, rows),
      [HIDDEN_STATES_INPUT]: hidden,
    };
    const outputs = await this.session.run(feeds, [this.io.outputName]);
    const output = outputs[this.io.outputName];
    if (output === undefined) {
      throw new UnetModelShapeError(`${this.modelPath}: the model returned no '${this.io.outputName}' (it returned ${Object.keys(outputs).join(', ') || 'nothing'}).`);
    }
    if (output.dtype !== 'float32' && output.dtype !== 'float16') {
      throw new UnetModelInputsError(this.modelPath, `the output '${this.io.outputName}' has dtype ${output.dtype}, expected float32 or float16`, this.session.inputs);
    }
    if (output.shape[0] !== rows || output.size % rows !== 0) {
      throw new UnetModelShapeError(
        `${this.modelPath}: the output '${this.io.outputName}' has shape [${output.shape.join(', ')}] for a call of ${rows} rows; expected ${rows} rows.`,
      );
    }
    return output;
  }

  /** `sample` in the model's dtype, repeated `copies` times along the batch, in a reused buffer when it must be copied. */
  private sampleFeed(sample: Tensor<'float32'>, copies: 1 | 2): Tensor {
    const n = sample.size;
    const shape = [copies * sample.shape[0]!, ...sample.shape.slice(1)];
    if (this.sampleDType === 'float32') {
      if (copies === 1) return sample;
      return new Tensor('float32', repeatInto(sample.data, copies, this.buffers.float32('sample×2', copies * n)), shape);
    }
    const half = this.buffers.float16(`sample×${copies}`, copies * n);
    toFloat16Array(sample.data, half.subarray(0, n));
    if (copies === 2) half.copyWithin(n, 0, n);
    return new Tensor('float16', half, shape);
  }

  /** The hidden states in the model's dtype (a reused float16 buffer for float16 models, else as given). */
  private hiddenFeed(hidden: Tensor<'float32'>): Tensor {
    if (this.hiddenStatesDType === 'float32') return hidden;
    return new Tensor('float16', toFloat16Array(hidden.data, this.buffers.float16(`hidden×${hidden.shape[0]}`, hidden.size)), hidden.shape);
  }

  /** A float32 view of a model output, widening float16 outputs into the reused buffer `slot`. */
  private float32View(output: Tensor, slot: string): Float32Array {
    if (output.is('float32')) return output.data;
    return toFloat32Array(output.data as Uint16Array, this.buffers.float32(slot, output.size));
  }

  /** A model output as a float32 tensor the caller may keep (onnxruntime's outputs are fresh arrays). */
  private ownedFloat32(output: Tensor): Tensor<'float32'> {
    if (output.is('float32')) return output;
    return new Tensor('float32', toFloat32Array(output.data as Uint16Array), output.shape);
  }

  private checkSample(sample: Tensor<'float32'>): number {
    const shape = sample.shape;
    if ((sample.dtype as DType) !== 'float32') {
      throw new SampleShapeError(shape, `its dtype is ${sample.dtype}; pass float32 latents (float16 models get them converted).`);
    }
    if (shape.length !== 4) throw new SampleShapeError(shape, `expected rank 4, [batch, ${this.inChannels}, height, width].`);
    const [batch, channels, height, width] = shape as [number, number, number, number];
    if (batch < 1) throw new SampleShapeError(shape, 'the batch is empty.');
    if (channels !== this.inChannels) {
      throw new SampleShapeError(shape, `it has ${channels} channels but the model takes ${this.inChannels} (dim 1: [batch, ${this.inChannels}, height, width]).`);
    }
    const declared = this.io.sample.shape;
    for (const [axis, name, value] of [[2, 'height', height], [3, 'width', width]] as const) {
      const fixed = declared[axis];
      if (typeof fixed === 'number' && fixed !== value) {
        throw new SampleShapeError(shape, `the model was exported for a latent ${name} of ${fixed} (pixels ${fixed * 8}), not ${value}.`);
      }
    }
    return batch;
  }

  private checkHiddenStates(hidden: Tensor<'float32'>): void {
    const shape = hidden.shape;
    if ((hidden.dtype as DType) !== 'float32') {
      throw new HiddenStatesShapeError(shape, `its dtype is ${hidden.dtype}; pass float32 states (float16 models get them converted).`);
    }
    if (shape.length !== 3) throw new HiddenStatesShapeError(shape, `expected rank 3, [rows, sequence, ${this.crossAttentionDim}].`);
    if (shape[2] !== this.crossAttentionDim) throw new HiddenStatesWidthError(shape, this.crossAttentionDim, shape[2]!);
    const fixedSequence = this.io.hiddenStates.shape[1];
    if (typeof fixedSequence === 'number' && fixedSequence !== shape[1]) {
      throw new HiddenStatesShapeError(shape, `the model was exported for sequences of ${fixedSequence} tokens, not ${shape[1]}.`);
    }
  }

  private checkFixedBatch(rows: number): void {
    for (const [name, declared] of [
      [SAMPLE_INPUT, this.io.sample.shape[0]],
      [HIDDEN_STATES_INPUT, this.io.hiddenStates.shape[0]],
    ] as const) {
      if (typeof declared === 'number' && declared !== rows) {
        throw new UnetModelShapeError(
          `${this.modelPath}: the model's '${name}' has a fixed batch of ${declared} but this call runs ${rows} rows ` +
            `(guidanceBatching '${this.guidanceBatching}'); re-export the UNet with a dynamic batch, or pick the batch size, guidance ` +
            `and guidanceBatching that run ${declared} rows per call.`,
        );
      }
    }
  }
}

function checkBatching(value: GuidanceBatching | undefined): GuidanceBatching {
  if (value === undefined) return 'batched';
  if (!GUIDANCE_BATCHINGS.includes(value)) {
    throw new UnetArgumentError(`guidanceBatching is '${String(value)}'; expected ${GUIDANCE_BATCHINGS.map((b) => `'${b}'`).join(' or ')}.`);
  }
  return value;
}
