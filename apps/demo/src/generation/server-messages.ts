/**
 * Messages the server sends on `/api/generate` (JSON text frames), a union tagged by `type`.
 * Events of a sweep carry `variant`, the index of the β they were made with.
 */
export type ServerMessage =
  /** The job waits for a worker: its 1-based place in line (sent on enqueue and on every change). */
  | { readonly type: 'queued'; readonly position: number }
  /** The queue is full: no job was made; the socket stays open, so the client may try again. */
  | { readonly type: 'busy'; readonly message: string }
  | { readonly type: 'start'; readonly totalSteps: number; readonly seed: number; readonly variant?: number }
  /** Something in the request may not do what was meant (the pipeline's warning events); the generation goes on. */
  | { readonly type: 'warning'; readonly code: string; readonly message: string; readonly variant?: number }
  | { readonly type: 'preparing'; readonly stage: string; readonly done: number; readonly total: number; readonly variant?: number }
  | { readonly type: 'step'; readonly index: number; readonly total: number; readonly preview?: string; readonly variant?: number }
  | {
      readonly type: 'done';
      /** `data:image/png;base64,...` */
      readonly image: string;
      readonly width: number;
      readonly height: number;
      readonly seed: number;
      /** The generation's time from `start` to `done`, in milliseconds. */
      readonly ms: number;
      readonly variant?: number;
    }
  /** Every variant of a sweep is done. */
  | { readonly type: 'finished' }
  /** The job was cancelled by a `stop` message. */
  | { readonly type: 'stopped' }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string };

/** `error` codes. */
export type ErrorCode =
  /** The frame is not JSON or does not fit the message schema. */
  | 'invalid-message'
  /** The pipeline refuses a field of the request (e.g. a size the model cannot make). */
  | 'invalid-request'
  /** A concept id that is not a plain concept file name (`../x`, `a/b`, ...). */
  | 'invalid-name'
  | 'unknown-concept'
  | 'invalid-concept'
  | 'incompatible-concept'
  /** A `generate` or `sweep` while this socket's job has not ended. */
  | 'already-running'
  /** A model failed while generating. */
  | 'generation-failed';
