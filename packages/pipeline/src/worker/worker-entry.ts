import { parentPort, workerData } from 'node:worker_threads';
import type { DependencyContainer } from 'tsyringe';
import { WorkerPipelineError } from '../errors.js';
import { loadPipeline } from '../load-pipeline.js';
import type { GenerationHandle, Pipeline } from '../pipeline.js';
import type { FromWorker, ToWorker, WorkerStartData } from './protocol.js';
import { serializeError } from './serialize-error.js';
import { transferableEvent } from './transfer.js';

/*
 * The worker side of createWorkerPipeline: loads the pipeline, runs one generation at a time and
 * streams its events to the main thread, waiting for each event's `ack` (or a `cancel`) before the
 * next model call.
 */

interface Job {
  readonly id: number;
  handle?: GenerationHandle;
  resume?: () => void;
}

const port = parentPort ?? notAWorker();
const data = workerData as WorkerStartData;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const pipeline = await load();
let current: Job | undefined;
if (pipeline !== undefined) {
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'generate':
        start(pipeline, message.id, message);
        break;
      case 'ack':
        if (current?.id === message.id) current.resume?.();
        break;
      case 'cancel':
        if (current?.id === message.id) {
          current.handle?.cancel();
          current.resume?.();
        }
        break;
      case 'release':
        void release(pipeline);
        break;
    }
  });
  post({ type: 'ready' });
}

/** Loads the pipeline, or reports why it could not and lets the worker end. */
async function load(): Promise<Pipeline | undefined> {
  try {
    const forward = data.forwardWarnings ? { onWarning: (message: string) => post({ type: 'warning', message }) } : {};
    return await loadPipeline(data.modelDir, {
      ...(data.session !== undefined || data.forwardWarnings ? { session: { ...data.session, ...forward } } : {}),
      ...(data.guidanceBatching !== undefined && { guidanceBatching: data.guidanceBatching }),
      ...(data.preview !== undefined && { preview: data.preview }),
      ...(data.perfusion !== undefined && { perfusion: data.perfusion }),
      ...(data.configureModule !== undefined && { configure: await importConfigure(data.configureModule, data.configureData) }),
    });
  } catch (error) {
    post({ type: 'load-failed', error: serializeError(error) });
    port.close();
    return undefined;
  }
}

function start(pipeline: Pipeline, id: number, message: Extract<ToWorker, { type: 'generate' }>): void {
  if (current !== undefined) {
    const error = new WorkerPipelineError(`the worker is already running generation ${current.id}; the main thread sends one at a time.`);
    post({ type: 'failed', id, error: serializeError(error) });
    return;
  }
  const job: Job = { id };
  current = job;
  job.handle = pipeline.startGeneration(message.request, (event) => {
    const { event: movable, transfer } = transferableEvent(event);
    post({ type: 'event', id, event: movable }, transfer);
    if (event.type === 'done') return undefined;
    return new Promise<void>((resolve) => {
      job.resume = () => {
        job.resume = undefined;
        resolve();
      };
    });
  });
  job.handle.finished.then(
    (outcome) => {
      current = undefined;
      post({ type: outcome, id });
    },
    (error: unknown) => {
      current = undefined;
      post({ type: 'failed', id, error: serializeError(error) });
    },
  );
}

async function release(pipeline: Pipeline): Promise<void> {
  current?.resume?.();
  try {
    await pipeline.release();
    post({ type: 'released' });
  } catch (error) {
    post({ type: 'released', error: serializeError(error) });
  }
  port.close();
}

async function importConfigure(url: string, configureData: unknown): Promise<(container: DependencyContainer) => void | Promise<void>> {
  const module = (await import(url)) as { configure?: unknown; default?: unknown };
  const configure = module.configure ?? module.default;
  if (typeof configure !== 'function') {
    throw new WorkerPipelineError(`createWorkerPipeline(): ${url} exports no configure(container, data) function (named export "configure" or default).`);
  }
  return (container) => (configure as (c: DependencyContainer, d: unknown) => void | Promise<void>)(container, configureData);
}

function notAWorker(): never {
  throw new WorkerPipelineError('worker-entry runs only as the worker of createWorkerPipeline().');
}
