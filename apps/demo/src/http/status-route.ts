import type { FastifyInstance } from 'fastify';
import type { WorkerPool, PoolStatus } from '../generation/worker-pool.js';
import type { ModelStatus } from '../model-info.js';

/** The body of `GET /api/status`. */
export interface StatusBody extends PoolStatus {
  readonly model: ModelStatus;
}

/** `GET /api/status`: the model, how many workers generate now, how many jobs wait. Answered while workers run. */
export function registerStatusRoute(app: FastifyInstance, model: ModelStatus, pool: WorkerPool): void {
  app.get('/api/status', async (): Promise<StatusBody> => ({ model, ...pool.status }));
}
