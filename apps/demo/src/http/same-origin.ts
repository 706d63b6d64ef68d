import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/**
 * Refuses API requests that a page of another site makes from a visitor's browser (an `Origin`
 * header naming another host): browsers let any page open a WebSocket or post a plain body to
 * 127.0.0.1, and nothing but this check would stop it from running generations or filling the
 * concepts folder. Clients outside browsers send no `Origin` and are served.
 */
export function allowSameOriginOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const origin = request.headers.origin;
    if (origin === undefined || sameHost(origin, request.headers.host)) return;
    throw new ApiError(403, 'cross-origin', `requests from ${origin} are refused; open the demo page on this server (http://${request.headers.host ?? 'its address'}/) instead.`);
  });
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
