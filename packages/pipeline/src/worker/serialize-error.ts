import {
  ConceptConstructionError,
  GenerationFailedError,
  InvalidRequestError,
  ModelFolderError,
  PerfusionUnavailableError,
  PipelineError,
  PipelineReleasedError,
  WorkerPipelineError,
} from '../errors.js';

/** An error as it crosses the thread boundary: name, message, stack, cloneable own fields, cause. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Record<string, unknown>;
  readonly cause?: SerializedError;
}

/** This package's error classes, re-created as themselves on the main side (so `instanceof` works). */
const KNOWN: Record<string, { prototype: Error }> = {
  PipelineError,
  ModelFolderError,
  InvalidRequestError,
  GenerationFailedError,
  PipelineReleasedError,
  WorkerPipelineError,
  PerfusionUnavailableError,
  ConceptConstructionError,
};

const MAX_CAUSE_DEPTH = 8;

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    try {
      fields[key] = structuredClone(value);
    } catch {
      // Not cloneable (a function, a native handle): left out.
    }
  }
  const cause = error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? serializeError(error.cause, depth + 1) : undefined;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined && { stack: error.stack }),
    fields,
    ...(cause !== undefined && { cause }),
  };
}

/**
 * Re-creates a serialized error: an instance of the same class for this package's errors, else an
 * `Error` with the original name. The stack is the worker's.
 */
export function deserializeError(data: SerializedError): Error {
  const known = Object.hasOwn(KNOWN, data.name) ? KNOWN[data.name]! : undefined;
  const error: Error = known === undefined ? new Error(data.message) : (Object.create(known.prototype) as Error);
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
  if (data.stack !== undefined) Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true, enumerable: false });
  Object.assign(error, data.fields);
  if (data.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: deserializeError(data.cause), writable: true, configurable: true, enumerable: false });
  }
  return error;
}
