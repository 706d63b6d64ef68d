import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { SessionOptions } from '@perfusion/onnx-graph';
import { Observable, type Subscriber } from 'rxjs';
import { InvalidRequestError, PipelineReleasedError, WorkerPipelineError } from '../errors.js';
import type { GenerationEvent } from '../events.js';
import type { PerfusionLoadOptions } from '../perfusion/load-options.js';
import type { ImagePipeline } from '../pipeline.js';
import type { GenerationRequest } from '../request.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { deserializeError } from './serialize-error.js';
import { spawnPipelineWorker } from './spawn-worker.js';

/** How `createWorkerPipeline` builds the pipeline inside its worker. */
export interface WorkerPipelineOptions {
  /** onnxruntime session options; `onWarning` is called on the main thread with the worker's warnings. */
  readonly session?: SessionOptions;
  readonly guidanceBatching?: 'batched' | 'sequential';
  /** Step previews: `'sd1'` (default) or `'fit'` (see `PipelineOptions.preview`). */
  readonly preview?: 'sd1' | 'fit';
  /**
   * Perfusion, as `PipelineOptions.perfusion` (default true). Requests may then carry concepts, as
   * paths (read inside the worker) or `ConceptFile` objects (copied to the worker with the request).
   */
  readonly perfusion?: boolean | PerfusionLoadOptions;
  /**
   * Path or URL of an ES module imported inside the worker whose `configure(container, data)`
   * export (named, or default) is called as `PipelineOptions.configure` (functions cannot cross
   * threads, so overrides are named by module).
   */
  readonly configureModule?: string | URL;
  /** Structured-cloneable value passed to the configure module's function as `data`. */
  readonly configureData?: unknown;
}

interface Job {
  readonly id: number;
  readonly request: GenerationRequest;
  readonly subscriber: Subscriber<GenerationEvent>;
  /** Set when the subscriber unsubscribed: nothing more is delivered to it. */
  cancelled: boolean;
}

type State = 'loading' | 'ready' | 'releasing' | 'released' | 'dead';

/**
 * Loads a model folder into a pipeline running in a `worker_threads` worker, so that onnxruntime's
 * blocking `run()` calls never hold the caller's event loop. `generate()` has the main-thread
 * pipeline's contract (cold Observable, same events, unsubscribe cancels before the next UNet call);
 * images and latents are transferred, not copied. The worker runs one generation at a time:
 * further subscriptions wait in a queue (unsubscribing removes them from it).
 *
 * @throws the worker's load error re-created on this thread (e.g. `ModelFolderError`).
 */
export async function createWorkerPipeline(modelDir: string, options: WorkerPipelineOptions = {}): Promise<WorkerPipeline> {
  const { onWarning, ...session } = options.session ?? {};
  const worker = spawnPipelineWorker({
    modelDir: path.resolve(modelDir),
    ...(options.session !== undefined && { session }),
    forwardWarnings: onWarning !== undefined,
    ...(options.guidanceBatching !== undefined && { guidanceBatching: options.guidanceBatching }),
    ...(options.preview !== undefined && { preview: options.preview }),
    ...(options.perfusion !== undefined && { perfusion: options.perfusion }),
    ...(options.configureModule !== undefined && { configureModule: moduleUrl(options.configureModule) }),
    ...(options.configureData !== undefined && { configureData: options.configureData }),
  });
  const pipeline = new WorkerPipeline(worker, onWarning);
  await pipeline.loaded;
  return pipeline;
}

/** The main-thread side of a pipeline running in a worker; made by {@link createWorkerPipeline}. */
export class WorkerPipeline implements ImagePipeline {
  /** @internal Settles when the worker has loaded the model (or failed to). */
  readonly loaded: Promise<void>;
  private state: State = 'loading';
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private nextId = 1;
  private settleLoad!: { resolve: () => void; reject: (error: Error) => void };
  private settleRelease: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private releasing: Promise<void> | undefined;
  private deathError: Error | undefined;

  /** @internal Use {@link createWorkerPipeline}. */
  constructor(
    private readonly worker: Worker,
    private readonly onWarning?: (message: string) => void,
  ) {
    this.loaded = new Promise<void>((resolve, reject) => (this.settleLoad = { resolve, reject }));
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.die(new WorkerPipelineError(`the pipeline worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.die(new WorkerPipelineError(`the pipeline worker exited (code ${code}).`)));
  }

  /** The worker's thread id. */
  get threadId(): number {
    return this.worker.threadId;
  }

  /** Same contract as `Pipeline.generate`; runs in the worker. */
  generate(request: GenerationRequest): Observable<GenerationEvent> {
    return new Observable<GenerationEvent>((subscriber) => {
      if (this.state !== 'ready') {
        subscriber.error(this.deathError ?? new PipelineReleasedError('generate()'));
        return undefined;
      }
      const job: Job = { id: this.nextId++, request, subscriber, cancelled: false };
      this.queue.push(job);
      this.pump();
      return () => {
        if (job.cancelled) return;
        job.cancelled = true;
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        else if (this.running === job) this.send({ type: 'cancel', id: job.id });
      };
    });
  }

  /**
   * Releases the worker's sessions and ends the worker. A running generation errors with
   * `PipelineReleasedError` (as on the main thread), queued ones too. Idempotent.
   */
  release(): Promise<void> {
    this.releasing ??= this.releaseNow();
    return this.releasing;
  }

  private async releaseNow(): Promise<void> {
    const error = new PipelineReleasedError('generate()');
    for (const job of this.queue.splice(0)) if (!job.cancelled) job.subscriber.error(error);
    if (this.state !== 'ready') return;
    this.state = 'releasing';
    this.worker.ref();
    const released = new Promise<void>((resolve, reject) => (this.settleRelease = { resolve, reject }));
    this.send({ type: 'release' });
    try {
      await released;
    } finally {
      this.state = 'released';
      await this.worker.terminate();
    }
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.state = 'ready';
        this.worker.unref();
        this.settleLoad.resolve();
        this.pump();
        return;
      case 'load-failed':
        this.state = 'dead';
        this.settleLoad.reject(deserializeError(message.error));
        void this.worker.terminate();
        return;
      case 'warning':
        this.onWarning?.(message.message);
        return;
      case 'event': {
        const job = this.running;
        if (job === undefined || job.id !== message.id || job.cancelled) return;
        job.subscriber.next(message.event);
        // The subscriber may have unsubscribed while handling the event (the cancel is posted then).
        if (!job.cancelled && message.event.type !== 'done') this.send({ type: 'ack', id: job.id });
        return;
      }
      case 'completed':
      case 'cancelled':
      case 'failed': {
        const job = this.running;
        if (job === undefined || job.id !== message.id) return;
        this.running = undefined;
        if (!job.cancelled) {
          job.cancelled = true;
          if (message.type === 'completed') job.subscriber.complete();
          else if (message.type === 'failed') job.subscriber.error(deserializeError(message.error));
          else job.subscriber.error(new WorkerPipelineError('the worker cancelled a generation nobody cancelled.'));
        }
        this.pump();
        return;
      }
      case 'released':
        if (message.error === undefined) this.settleRelease?.resolve();
        else this.settleRelease?.reject(deserializeError(message.error));
        return;
    }
  }

  /** Sends the next queued generation when the worker is free; lets the process exit while idle. */
  private pump(): void {
    if (this.state !== 'ready' || this.running !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.worker.unref();
      return;
    }
    this.running = job;
    this.worker.ref();
    try {
      this.worker.postMessage({ type: 'generate', id: job.id, request: job.request } satisfies ToWorker);
    } catch (error) {
      this.running = undefined;
      job.cancelled = true;
      job.subscriber.error(
        new InvalidRequestError('', job.request, `it cannot be sent to the worker (${(error as Error).message}); pass plain data.`),
      );
      this.pump();
    }
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** The worker is gone: everything pending errors (unless this is the end of a release). */
  private die(error: Error): void {
    if (this.state === 'released' || this.state === 'dead') return;
    const releasing = this.state === 'releasing';
    this.state = releasing ? 'released' : 'dead';
    if (!releasing) this.deathError = error;
    this.settleLoad.reject(error);
    this.settleRelease?.reject(error);
    const pending = [...(this.running === undefined ? [] : [this.running]), ...this.queue.splice(0)];
    this.running = undefined;
    for (const job of pending) {
      if (job.cancelled) continue;
      job.cancelled = true;
      job.subscriber.error(error);
    }
  }
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z][a-z0-9+.-]+:/i.test(module) ? module : pathToFileURL(path.resolve(module)).href;
}
