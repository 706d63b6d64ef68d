import type { Observable, Subscription } from 'rxjs';
import type { CliIo } from './io.js';

/** What {@link CancellableRun.follow} resolves with when Ctrl-C stopped the stream. */
export interface Cancelled {
  readonly kind: 'cancelled';
}

/**
 * A long command's Ctrl-C handling: the first Ctrl-C calls `onFirstInterrupt` (told whether the
 * stream is being followed yet) and unsubscribes from it, so the library stops before its next
 * model call; a second one is left to the launcher (quit at once). Create it before loading the
 * model, `follow` the stream once loaded, and call `stop` when done.
 */
export class CancellableRun {
  #interrupted = false;
  #cancel: (() => void) | undefined;
  /** Stops listening for Ctrl-C. */
  readonly stop: () => void;

  constructor(io: CliIo, onFirstInterrupt: (following: boolean) => void) {
    this.stop = io.onInterrupt(() => {
      if (this.#interrupted) return;
      this.#interrupted = true;
      onFirstInterrupt(this.#cancel !== undefined);
      this.#cancel?.();
    });
  }

  /** Whether Ctrl-C was pressed. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /**
   * Subscribes to `events` and hands each to `outcomeOf`; resolves with the first outcome it
   * returns (then unsubscribes), with {@link Cancelled} after Ctrl-C, or rejects with the stream's error.
   */
  follow<E, R>(events: Observable<E>, outcomeOf: (event: E) => R | undefined): Promise<R | Cancelled> {
    return new Promise<R | Cancelled>((resolve, reject) => {
      let subscription: Subscription | undefined;
      let finished = false;
      this.#cancel = () => {
        if (finished) return;
        finished = true;
        subscription?.unsubscribe();
        resolve({ kind: 'cancelled' });
      };
      subscription = events.subscribe({
        next: (event) => {
          const outcome = outcomeOf(event);
          if (outcome === undefined) return;
          finished = true;
          resolve(outcome);
        },
        error: (error: unknown) => {
          finished = true;
          reject(error);
        },
      });
      if (finished) subscription.unsubscribe();
    });
  }
}
