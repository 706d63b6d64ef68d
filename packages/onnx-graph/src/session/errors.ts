import { OnnxGraphError } from '../errors.js';

/** Base class of the errors {@link OnnxSession} throws on purpose. */
export class SessionError extends OnnxGraphError {}

/** onnxruntime could not load the model (missing file, invalid graph, unsupported operator...). */
export class SessionCreateError extends SessionError {
  constructor(
    readonly modelPath: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot create an onnxruntime session for ${modelPath}: ${detail}`, options);
  }
}

/**
 * The feeds (or requested outputs) do not fit the session: unknown or missing names, a dtype or
 * rank that differs from what the model declares. Raised before anything runs; the message lists
 * every problem and what the session expects.
 */
export class SessionFeedError extends SessionError {
  constructor(
    readonly modelPath: string,
    readonly problems: readonly string[],
    expected: string,
  ) {
    super(`Invalid feeds for ${modelPath}:\n  - ${problems.join('\n  - ')}\n${expected}`);
  }
}

/** A name asked of {@link OnnxSession.input} is not one of the session's inputs. */
export class UnknownSessionInputError extends SessionError {
  constructor(
    readonly modelPath: string,
    readonly inputName: string,
    expected: string,
  ) {
    super(`${modelPath} has no input '${inputName}'.\n${expected}`);
  }
}

/** onnxruntime failed while running the model; the message carries every feed's name, dtype and dims. */
export class SessionRunError extends SessionError {
  constructor(
    readonly modelPath: string,
    readonly feedsDescription: string,
    ortMessage: string,
    options?: ErrorOptions,
  ) {
    super(`onnxruntime failed to run ${modelPath}: ${ortMessage}\nFeeds:\n${feedsDescription}`, options);
  }
}

/** The session was used after {@link OnnxSession.release}. */
export class SessionReleasedError extends SessionError {
  constructor(readonly modelPath: string) {
    super(`The session for ${modelPath} was released; create a new one with OnnxSession.create().`);
  }
}

/** A tensor cannot be cast as asked (see `castFloatTensor`). */
export class TensorCastError extends SessionError {}
