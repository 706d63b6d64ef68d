import type { FastifyInstance } from 'fastify';

/**
 * A WebSocket upgrade answered with an HTTP response instead (refused by a hook, an unknown path)
 * leaves its socket open: it belongs to no HTTP connection the server tracks, so a client that
 * keeps it would stop the server from ever closing. Once the answer is sent, the socket is ended.
 * Accepted upgrades never get here (their replies are hijacked by the WebSocket handler).
 */
export function endRefusedUpgrades(app: FastifyInstance): void {
  app.addHook('onResponse', async (request) => {
    if (request.headers.upgrade !== undefined) request.raw.socket.destroy();
  });
}
