/** Base class of every error the `perfusion` command reports itself (not a library's). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A bad command line: unknown command or option, missing or malformed value. The message names the
 * option, what was given and what is accepted. The command exits with {@link EXIT_USAGE}.
 */
export class CliUsageError extends CliError {
  constructor(
    message: string,
    /** The command whose `--help` to point at, if any. */
    readonly command?: string,
  ) {
    super(message);
  }
}
