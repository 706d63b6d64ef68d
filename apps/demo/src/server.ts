import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyWebsocket from '@fastify/websocket';
import { createWorkerPipeline, type WorkerPipeline, type WorkerPipelineOptions } from '@perfusion/pipeline';
import { ensureDefaultModel, type DefaultModel } from '@perfusion/toymodel/default-model';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConceptFolder } from './concepts/concept-folder.js';
import { DemoStartError } from './errors.js';
import { copyExampleConcept, promptSuggestion } from './example-concept.js';
import { WorkerPool } from './generation/worker-pool.js';
import { registerErrorHandlers } from './http/api-error-handlers.js';
import { registerConceptRoutes } from './http/concept-routes.js';
import { registerGenerateRoute } from './http/generate-route.js';
import { registerPageRoutes } from './http/page-routes.js';
import { endRefusedUpgrades } from './http/refused-upgrades.js';
import { allowSameOriginOnly } from './http/same-origin.js';
import { registerStatusRoute } from './http/status-route.js';
import { readModelInfo, type ModelStatus } from './model-info.js';

/** How to start the demo server; every field has a default. */
export interface DemoServerOptions {
  /** A model folder (diffusers/optimum ONNX layout). Default: the embedded default model. */
  readonly modelDir?: string;
  /** Where concept files are listed from and uploaded to; created when missing. Default `./concepts`. */
  readonly conceptsDir?: string;
  /** Default 7860; 0 picks a free port. */
  readonly port?: number;
  /** Default `127.0.0.1` (this machine only). */
  readonly host?: string;
  /** Worker threads, each with its own copy of the model, each running one generation at a time. Default 1. */
  readonly workers?: number;
  /** Jobs that may wait for a worker beyond the running ones; more are answered `busy`. Default 4. */
  readonly queue?: number;
  /** Largest concept upload in bytes. Default 1 MiB. */
  readonly maxUploadBytes?: number;
  /** Where the page's files are. Default: the package's `public/`. */
  readonly publicDir?: string;
  /**
   * Options for every worker pipeline, merged over the server's (onnxruntime without its memory
   * arena, guidance as two UNet calls: the lower-memory settings of the `perfusion` command).
   */
  readonly pipeline?: WorkerPipelineOptions;
  /**
   * Where the default model's example concept is copied from into a concepts folder that lacks it.
   * Default: the default model's `conceptsDir` (tests name a folder of their own).
   */
  readonly defaultModelConceptsDir?: string;
}

/** A running demo server. */
export interface DemoServer {
  /** `http://HOST:PORT`, for a browser. */
  readonly url: string;
  readonly port: number;
  readonly model: ModelStatus;
  /** The embedded default model, when no `modelDir` was given. */
  readonly defaultModel?: DefaultModel;
  /** The id of the default model's example concept when it was copied into the concepts folder at start. */
  readonly copiedExampleConcept?: string;
  /** Where an earlier copy of the example, unusable with this model, was moved at start. */
  readonly staleExampleConcept?: string;
  /** The concepts folder, absolute. */
  readonly conceptsDir: string;
  /** Stops listening, closes every connection (cancelling their generations) and ends the workers. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7860;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_WORKERS = 1;
export const DEFAULT_QUEUE = 4;
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024;
export const DEFAULT_CONCEPTS_DIR = 'concepts';
const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** The `perfusion` command's lower-memory onnxruntime settings (docs/benchmarks.md, "Pipeline overhead"). */
const SERVER_PIPELINE_SETTINGS: WorkerPipelineOptions = {
  session: { enableCpuMemArena: false, enableMemPattern: false },
  guidanceBatching: 'sequential',
};

/**
 * Loads the model into `workers` worker threads, opens the concepts folder and serves the page,
 * the JSON API and the generation WebSocket (see the package README for the protocol). Resolves
 * once it listens. With the default model, its example concept is first copied into a concepts
 * folder that lacks it, and the status tells the page to start with it.
 * @throws {DemoStartError} when the port cannot be used or the example concept is not one for the
 *   default model; the pipeline's `ModelFolderError` for a folder that is not a model.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const settings = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    workers: options.workers ?? DEFAULT_WORKERS,
    queue: options.queue ?? DEFAULT_QUEUE,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
  };
  checkCount('workers', settings.workers, 1);
  checkCount('queue', settings.queue, 0);
  checkCount('maxUploadBytes', settings.maxUploadBytes, 1);

  const defaultModel = options.modelDir === undefined ? await ensureDefaultModel() : undefined;
  const info = await readModelInfo(defaultModel?.dir ?? path.resolve(options.modelDir!), defaultModel && `${defaultModel.name} (embedded default model)`);
  const conceptsDir = path.resolve(options.conceptsDir ?? DEFAULT_CONCEPTS_DIR);
  const folder = await ConceptFolder.open(conceptsDir, info.expectation).catch((error: Error) => {
    throw new DemoStartError(`cannot use ${conceptsDir} as the concepts folder (${error.message}); pass --concepts DIR with a folder this user may write.`, { cause: error });
  });
  const copy = defaultModel && (await copyExampleConcept(folder, defaultModel.exampleConcept, options.defaultModelConceptsDir ?? defaultModel.conceptsDir));
  const pool = new WorkerPool(await startWorkers(info.model.modelDir, settings.workers, options.pipeline), settings.queue);

  let app: FastifyInstance | undefined;
  try {
    app = Fastify({ logger: false, bodyLimit: settings.maxUploadBytes });
    registerErrorHandlers(app, settings.maxUploadBytes);
    allowSameOriginOnly(app);
    endRefusedUpgrades(app);
    await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    await registerPageRoutes(app, options.publicDir ?? DEFAULT_PUBLIC_DIR);
    registerStatusRoute(app, info.status, pool, defaultModel && (() => promptSuggestion(folder, defaultModel)));
    await registerConceptRoutes(app, folder, settings.maxUploadBytes);
    registerGenerateRoute(app, { pool, folder, info });
    await listen(app, settings.port, settings.host);
  } catch (error) {
    await app?.close();
    await pool.release();
    throw error;
  }

  const port = (app.server.address() as AddressInfo).port;
  const server = app;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(settings.host)}:${port}`,
    port,
    model: info.status,
    ...(defaultModel !== undefined && { defaultModel }),
    ...(copy !== undefined && { copiedExampleConcept: copy.id }),
    ...(copy?.setAside !== undefined && { staleExampleConcept: copy.setAside }),
    conceptsDir: folder.dir,
    close: () => {
      closing ??= server.close().finally(() => pool.release());
      return closing;
    },
  };
}

/** One after another: the first patches the UNet for Perfusion into the model's cache, the others reuse it. */
async function startWorkers(modelDir: string, count: number, extra: WorkerPipelineOptions | undefined): Promise<WorkerPipeline[]> {
  const workers: WorkerPipeline[] = [];
  try {
    for (let i = 0; i < count; i++) workers.push(await createWorkerPipeline(modelDir, { ...SERVER_PIPELINE_SETTINGS, ...extra }));
  } catch (error) {
    await Promise.allSettled(workers.map((worker) => worker.release()));
    throw error;
  }
  return workers;
}

async function listen(app: FastifyInstance, port: number, host: string): Promise<void> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${port} is in use; pass --port with another port, or --port 0 for any free one` : `${(error as Error).message}`;
    throw new DemoStartError(`cannot listen on ${host}:${port}: ${why}.`, { cause: error });
  }
}

/** The host as a URL shows it: a wildcard address becomes the loopback one, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new DemoStartError(`${name} must be an integer ≥ ${min}, got ${value}.`);
}
