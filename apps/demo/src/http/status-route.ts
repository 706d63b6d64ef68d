import type { FastifyInstance } from 'fastify';
import type { PromptSuggestion } from '../example-concept.js';
import type { WorkerPool, PoolStatus } from '../generation/worker-pool.js';
import type { ModelStatus } from '../model-info.js';

/** The body of `GET /api/status`. */
export interface StatusBody extends PoolStatus {
  readonly model: ModelStatus;
  /** With the embedded default model: the prompt the page starts with, and the concept to tick. */
  readonly suggestion?: PromptSuggestion;
}

/**
 * `GET /api/status`: the model, how many workers generate now, how many jobs wait, and (given
 * `suggest`) the starting prompt, worked out per request as the concepts folder changes. Answered
 * while workers run.
 */
export function registerStatusRoute(app: FastifyInstance, model: ModelStatus, pool: WorkerPool, suggest?: () => Promise<PromptSuggestion>): void {
  app.get('/api/status', async (): Promise<StatusBody> => ({ model, ...pool.status, ...(suggest !== undefined && { suggestion: await suggest() }) }));
}
