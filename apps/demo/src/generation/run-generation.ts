import type { GenerationEvent, GenerationRequest, ImagePipeline } from '@perfusion/pipeline';
import type { Subscription } from 'rxjs';

/** How one generation ended. */
export type GenerationOutcome = { readonly kind: 'completed' } | { readonly kind: 'cancelled' } | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Runs one generation on `pipeline`, handing every event to `onEvent`, until it completes, fails,
 * or `signal` aborts — which unsubscribes, so the worker stops before its next model call, and
 * settles at once (the worker pipeline makes a later generation wait until this one has stopped).
 */
export function runGeneration(
  pipeline: ImagePipeline,
  request: GenerationRequest,
  onEvent: (event: GenerationEvent) => void,
  signal: AbortSignal,
): Promise<GenerationOutcome> {
  return new Promise<GenerationOutcome>((resolve) => {
    if (signal.aborted) {
      resolve({ kind: 'cancelled' });
      return;
    }
    let subscription: Subscription | undefined;
    let settled = false;
    const settle = (outcome: GenerationOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      resolve(outcome);
    };
    const abort = (): void => {
      subscription?.unsubscribe();
      settle({ kind: 'cancelled' });
    };
    signal.addEventListener('abort', abort, { once: true });
    subscription = pipeline.generate(request).subscribe({
      next: onEvent,
      error: (error: unknown) => settle({ kind: 'failed', error }),
      complete: () => settle({ kind: 'completed' }),
    });
    // An abort raised by `onEvent` while subscribing found no subscription to end yet.
    if (settled && signal.aborted) subscription.unsubscribe();
  });
}
