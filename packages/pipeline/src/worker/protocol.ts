import type { SessionOptions } from '@perfusion/onnx-graph';
import type { GenerationEvent } from '../events.js';
import type { PerfusionLoadOptions } from '../perfusion/load-options.js';
import type { GenerationRequest } from '../request.js';
import type { SerializedError } from './serialize-error.js';

/*
 * Messages between a WorkerPipeline (main thread) and its worker. One generation runs at a time;
 * `id` ties messages to it. The worker waits for an `ack` (or a `cancel`) after each event before
 * its next model call, so a subscriber that unsubscribes while handling an event stops the
 * generation exactly where it would stop on the main thread.
 */

/** What the worker is started with (`workerData`). */
export interface WorkerStartData {
  readonly modelDir: string;
  /** Session options without `onWarning` (a function cannot cross threads). */
  readonly session?: Omit<SessionOptions, 'onWarning'>;
  /** Post session warnings to the main thread (set when the caller passed `session.onWarning`). */
  readonly forwardWarnings: boolean;
  readonly guidanceBatching?: 'batched' | 'sequential';
  readonly preview?: 'sd1' | 'fit';
  readonly perfusion?: boolean | PerfusionLoadOptions;
  /** URL of a module whose `configure(container, data)` export is called as `PipelineOptions.configure`. */
  readonly configureModule?: string;
  readonly configureData?: unknown;
}

export type ToWorker =
  | { readonly type: 'generate'; readonly id: number; readonly request: GenerationRequest }
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'release' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'load-failed'; readonly error: SerializedError }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'event'; readonly id: number; readonly event: GenerationEvent }
  | { readonly type: 'completed'; readonly id: number }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'released'; readonly error?: SerializedError };
