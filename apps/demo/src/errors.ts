/** Base class of every error the demo server reports itself (not a library's). */
export class DemoError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad command line for the demo: unknown option, missing or malformed value. The message names
 * the option, what was given and what is accepted; the program prints it with the usage and exits 2.
 */
export class DemoUsageError extends DemoError {}

/** The server could not start: the port is taken, the model or concepts folder is unusable, ... */
export class DemoStartError extends DemoError {}

/**
 * A request the server refuses, with the HTTP status it answers with and the `code` of the JSON
 * body `{ error: { code, message } }`.
 */
export class ApiError extends DemoError {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
