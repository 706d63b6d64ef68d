import type { GenerationEvent, GenerationRequest, ImagePipeline } from '@perfusion/pipeline';
import { pngDataUrl } from './data-url.js';
import { errorMessage } from './error-message.js';
import { runGeneration } from './run-generation.js';
import type { ServerMessage } from './server-messages.js';
import type { PoolJob, PoolTicket } from './worker-pool.js';

/** One image to make; `variant` is set for the images of a sweep. */
export interface Variant {
  readonly request: GenerationRequest;
  readonly variant?: number;
}

/** Where a job's messages go. */
export interface JobOutput {
  send(message: ServerMessage): void;
  /** True while the client reads slower than previews arrive: step previews are left out then. */
  congested(): boolean;
}

/**
 * A client's generation (one variant) or β sweep (several, one after another on the same worker),
 * turned into server messages. Cancelling it withdraws it from the queue, or unsubscribes the
 * running generation; nothing is sent after that.
 *
 * The message that ends the job (the last `done`, `finished`, or an `error`) waits until the worker
 * is back in the pool: a client that reacts to it at once — a new request, a status request — finds
 * the job ended and the worker free.
 */
export class GenerationJob implements PoolJob {
  private readonly abort = new AbortController();
  private ticket: PoolTicket | undefined;
  private readonly closing: ServerMessage[] = [];

  constructor(
    private readonly variants: readonly Variant[],
    private readonly sweep: boolean,
    private readonly output: JobOutput,
    /** Called once the job has ended by itself (done, failed), just before its last message; not after {@link cancel}. */
    private readonly onEnd: () => void,
  ) {}

  /** The pool's ticket, for withdrawing the job while it waits. */
  queued(ticket: PoolTicket): void {
    this.ticket = ticket;
  }

  cancel(): void {
    this.abort.abort();
    this.ticket?.withdraw();
  }

  onPosition(position: number): void {
    if (!this.abort.signal.aborted) this.output.send({ type: 'queued', position });
  }

  async run(worker: ImagePipeline): Promise<void> {
    for (const [i, { request, variant }] of this.variants.entries()) {
      const last = i === this.variants.length - 1;
      const outcome = await runGeneration(worker, request, (event) => this.forward(event, variant, last), this.abort.signal);
      if (outcome.kind === 'cancelled') return;
      if (outcome.kind === 'failed') {
        this.closing.splice(0, this.closing.length, { type: 'error', ...errorMessage(outcome.error) });
        return;
      }
    }
    if (this.sweep) this.closing.push({ type: 'finished' });
  }

  afterRun(): void {
    if (this.abort.signal.aborted) return;
    this.onEnd();
    for (const message of this.closing) this.output.send(message);
  }

  private forward(event: GenerationEvent, variant: number | undefined, last: boolean): void {
    const tag = variant === undefined ? {} : { variant };
    switch (event.type) {
      case 'start':
        this.output.send({ type: 'start', totalSteps: event.totalSteps, seed: event.seed, ...tag });
        return;
      case 'warning':
        this.output.send({ type: 'warning', code: event.code, message: event.message, ...tag });
        return;
      case 'preparing':
        this.output.send({ type: 'preparing', stage: event.stage, done: event.done, total: event.total, ...tag });
        return;
      case 'step': {
        const preview = event.preview?.[0];
        const url = preview !== undefined && !this.output.congested() ? pngDataUrl(preview) : undefined;
        this.output.send({ type: 'step', index: event.index, total: event.total, ...(url !== undefined && { preview: url }), ...tag });
        return;
      }
      case 'done': {
        const image = event.images[0]!;
        const ms = Math.round(event.timings.totalMs);
        const done: ServerMessage = { type: 'done', image: pngDataUrl(image), width: image.width, height: image.height, seed: event.seed, ms, ...tag };
        if (last) this.closing.push(done);
        else this.output.send(done);
        return;
      }
    }
  }
}
