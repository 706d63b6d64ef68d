/**
 * The base of every error `@perfusion/trainer` throws on purpose, so callers can catch the
 * package's failures with one `instanceof`. Each part of the package (data, training, checkpoints)
 * derives its own classes from it; messages say what was wrong, where, and what to do.
 */
export class TrainerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
