import type { ConceptFolder } from '../concepts/concept-folder.js';
import type { ModelInfo } from '../model-info.js';
import { parseClientMessage, type ClientMessage } from './client-messages.js';
import { errorMessage } from './error-message.js';
import { GenerationJob, type JobOutput, type Variant } from './generation-job.js';
import { pipelineRequest, withBeta } from './pipeline-request.js';
import type { WorkerPool } from './worker-pool.js';

/** What a session needs from the server. */
export interface SessionContext {
  readonly pool: WorkerPool;
  readonly folder: ConceptFolder;
  readonly info: ModelInfo;
}

/**
 * One client connection of `/api/generate`: reads its messages, runs at most one job at a time for
 * it, and cancels that job on `stop` or when the connection closes.
 */
export class GenerationSession {
  private job: GenerationJob | undefined;
  /** Messages are handled one after another, in the order they came (checking a request reads files). */
  private inbox: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly context: SessionContext,
    private readonly output: JobOutput,
  ) {}

  /** Handles one text frame from the client, after the ones before it; resolves once handled. */
  receive(text: string): Promise<void> {
    this.inbox = this.inbox.then(() => this.handle(text)).catch((error: unknown) => this.output.send({ type: 'error', ...errorMessage(error) }));
    return this.inbox;
  }

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    let message: ClientMessage;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      this.output.send({ type: 'error', ...errorMessage(error) });
      return;
    }
    if (message.type === 'stop') {
      this.stop();
      return;
    }
    if (this.job !== undefined) {
      this.output.send({
        type: 'error',
        code: 'already-running',
        message: 'this connection already has a generation running or queued; send {"type":"stop"} first, or wait for its "done".',
      });
      return;
    }
    await this.start(message);
  }

  /** The connection closed: its job, queued or running, is cancelled and frees its place. */
  close(): void {
    this.closed = true;
    this.job?.cancel();
    this.job = undefined;
  }

  private stop(): void {
    this.job?.cancel();
    this.job = undefined;
    this.output.send({ type: 'stopped' });
  }

  private async start(message: Exclude<ClientMessage, { type: 'stop' }>): Promise<void> {
    let variants: Variant[];
    try {
      const request = await pipelineRequest(message.request, this.context.folder, this.context.info);
      variants = message.type === 'sweep' ? message.betas.map((beta, variant) => ({ request: withBeta(request, beta), variant })) : [{ request }];
    } catch (error) {
      this.output.send({ type: 'error', ...errorMessage(error) });
      return;
    }
    // The connection may have closed while the concept files were read.
    if (this.closed) return;

    const job: GenerationJob = new GenerationJob(variants, message.type === 'sweep', this.output, () => {
      if (this.job === job) this.job = undefined;
    });
    this.job = job;
    const ticket = this.context.pool.submit(job);
    if (ticket === undefined) {
      this.job = undefined;
      this.output.send({ type: 'busy', message: busyMessage(this.context.pool) });
      return;
    }
    job.queued(ticket);
  }
}

function busyMessage(pool: WorkerPool): string {
  const { workers, queue } = pool.status;
  return (
    `the server is busy: ${workers.busy} generation${workers.busy === 1 ? '' : 's'} running and ${queue.waiting} waiting, ` +
    `which is all its queue holds; try again in a moment.`
  );
}
