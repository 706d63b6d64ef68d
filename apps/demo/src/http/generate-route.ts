import type { FastifyInstance } from 'fastify';
import { GenerationSession, type SessionContext } from '../generation/generation-session.js';
import type { ServerMessage } from '../generation/server-messages.js';

/** Above this many unsent bytes on a socket, step previews are left out until the client catches up. */
const CONGESTED_BYTES = 4 * 1024 * 1024;

/** The WebSocket `/api/generate`: one {@link GenerationSession} per connection. */
export function registerGenerateRoute(app: FastifyInstance, context: SessionContext): void {
  app.get('/api/generate', { websocket: true }, (socket) => {
    const session = new GenerationSession(context, {
      send: (message: ServerMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      },
      congested: () => socket.bufferedAmount > CONGESTED_BYTES,
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.send(JSON.stringify({ type: 'error', code: 'invalid-message', message: 'send JSON text frames, not binary ones.' } satisfies ServerMessage));
        return;
      }
      void session.receive(data.toString());
    });
    socket.on('close', () => session.close());
  });
}
