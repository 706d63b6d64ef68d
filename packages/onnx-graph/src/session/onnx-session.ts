import { performance } from 'node:perf_hooks';
import { fromOrtTensor, toOrtTensor, type Tensor } from '@perfusion/tensor-core';
import type * as ort from 'onnxruntime-node';
import { SessionFeedError, SessionReleasedError, SessionRunError, UnknownSessionInputError } from './errors.js';
import { describeExpected, describeFeeds, findFeedProblems } from './feeds.js';
import { acquireSession, releaseSession, type NativeSession, type SharedSession } from './native-sessions.js';
import type { SessionOptions } from './options.js';
import type { SessionInputInfo, SessionOutputInfo } from './value-info.js';

/** Time spent inside onnxruntime's `run()`, accumulated over the calls of one {@link OnnxSession}. */
export interface SessionStats {
  /** Number of `run()` calls that reached onnxruntime (failed ones included). */
  readonly calls: number;
  /** Milliseconds spent awaiting onnxruntime's `run()` (wall clock). */
  readonly totalMs: number;
}

/**
 * An onnxruntime-node inference session with tensor-core tensors at the boundary: input types come
 * from the session, feeds are checked before running, and failures say which feeds were given.
 *
 * Create one per model and keep it: creating and releasing sessions over and over leaks native
 * memory in current onnxruntime releases. Sessions of the same unchanged file with the same
 * options are shared within the process (the native session is released with its last holder).
 */
export class OnnxSession {
  /** The model file as given to {@link create}, resolved to an absolute path. */
  readonly path: string;
  readonly inputs: readonly SessionInputInfo[];
  /** Outputs whose type tensor-core represents (all of them, for diffusion models). */
  readonly outputs: readonly SessionOutputInfo[];
  readonly outputNames: readonly string[];
  /** Execution providers the session runs with, `cpu` last (after any fallback). */
  readonly executionProviders: readonly string[];
  #shared: SharedSession | undefined;
  readonly #native: NativeSession;
  #calls = 0;
  #totalMs = 0;

  private constructor(shared: SharedSession, native: NativeSession) {
    this.#shared = shared;
    this.#native = native;
    this.path = native.modelPath;
    this.inputs = native.inputs;
    this.outputs = native.outputs;
    this.outputNames = native.outputNames;
    this.executionProviders = native.executionProviders;
  }

  /**
   * Loads `modelPath` (external weights next to it are found by onnxruntime).
   * @throws SessionCreateError when the file is missing or onnxruntime cannot load it; SessionError for invalid options.
   */
  static async create(modelPath: string, options: SessionOptions = {}): Promise<OnnxSession> {
    const shared = acquireSession(modelPath, options);
    let native: NativeSession;
    try {
      native = await shared.ready;
    } catch (error) {
      shared.refs--;
      throw error;
    }
    return new OnnxSession(shared, native);
  }

  /**
   * Loads `modelPath` and hands the session to `own`, which builds the object that will own it
   * (and release it): a model class that checks the session's interface. When `own` throws, the
   * session is released before the error reaches the caller, so a model that fails its checks
   * leaves nothing open.
   * @throws SessionCreateError as {@link create}; whatever `own` throws.
   */
  static async createOwned<T>(modelPath: string, options: SessionOptions, own: (session: OnnxSession) => T | Promise<T>): Promise<T> {
    const session = await OnnxSession.create(modelPath, options);
    try {
      return await own(session);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** Time spent in onnxruntime so far (a snapshot). */
  get stats(): SessionStats {
    return { calls: this.#calls, totalMs: this.#totalMs };
  }

  /** Sets {@link stats} back to zero. */
  resetStats(): void {
    this.#calls = 0;
    this.#totalMs = 0;
  }

  /** Whether {@link release} was called. */
  get released(): boolean {
    return this.#shared === undefined;
  }

  /** The description of input `name`. @throws UnknownSessionInputError listing the inputs. */
  input(name: string): SessionInputInfo {
    const info = this.inputs.find((i) => i.name === name);
    if (info === undefined) throw new UnknownSessionInputError(this.path, name, describeExpected(this.inputs));
    return info;
  }

  /** Whether the model has an input called `name`. */
  hasInput(name: string): boolean {
    return this.inputs.some((i) => i.name === name);
  }

  /**
   * Runs the model. `feeds` must hold exactly the session's inputs with their declared dtypes and
   * ranks (and sizes where the model fixes them); returns the requested outputs (default: all).
   * Outputs are tensor-core tensors over onnxruntime's buffers.
   * @throws SessionFeedError before running when the feeds do not fit; SessionRunError when onnxruntime fails.
   */
  async run(feeds: Readonly<Record<string, Tensor>>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    if (this.#shared === undefined) throw new SessionReleasedError(this.path);
    const problems = findFeedProblems(feeds, this.inputs, this.outputNames, outputNames);
    if (problems.length > 0) {
      throw new SessionFeedError(this.path, problems, `Given:\n${describeFeeds(feeds)}\n${describeExpected(this.inputs, this.outputs, this.outputNames)}`);
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const info of this.inputs) ortFeeds[info.name] = toOrtTensor(feeds[info.name]!) as ort.Tensor;
    const wanted = outputNames ?? this.outputNames;

    let results: ort.InferenceSession.ReturnType;
    const start = performance.now();
    try {
      results = await this.#native.session.run(ortFeeds, [...wanted]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SessionRunError(this.path, describeFeeds(feeds), message, { cause: error });
    } finally {
      this.#calls++;
      this.#totalMs += performance.now() - start;
    }
    const out: Record<string, Tensor> = {};
    for (const name of wanted) out[name] = fromOrtTensor(results[name] as ort.Tensor);
    return out;
  }

  /** Gives the session back; the native session is freed with its last holder. Idempotent. */
  async release(): Promise<void> {
    const shared = this.#shared;
    if (shared === undefined) return;
    this.#shared = undefined;
    await releaseSession(shared);
  }
}
