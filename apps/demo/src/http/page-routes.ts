import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** `GET /` is the page (`index.html`); its scripts and styles are under `/static/`. */
export async function registerPageRoutes(app: FastifyInstance, publicDir: string): Promise<void> {
  await app.register(fastifyStatic, { root: publicDir, prefix: '/static/', index: false, wildcard: true });
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'));
}
