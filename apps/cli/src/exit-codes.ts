/** Exit codes of the `perfusion` command. */
export const EXIT_OK = 0;
/** The work failed (a model could not load, a file could not be written, ...). */
export const EXIT_FAILED = 1;
/** Bad command line: unknown command or option, malformed or out-of-range value. */
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (SIGINT), as shells report 128 + signal number 2. */
export const EXIT_INTERRUPTED = 130;
