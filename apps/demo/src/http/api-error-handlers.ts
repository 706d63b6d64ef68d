import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const ROUTES = 'the API is GET /api/status, GET /api/concepts, POST /api/concepts?name=NAME.safetensors and the WebSocket /api/generate';

/**
 * Makes every failure answer `{ error: { code, message } }`: the server's own {@link ApiError}s,
 * Fastify's body-size and schema errors, unknown routes, and anything unexpected (500).
 */
export function registerErrorHandlers(app: FastifyInstance, uploadLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = apiErrorOf(error, uploadLimit);
    if (answer.statusCode >= 500) request.log.error(error);
    return reply.code(answer.statusCode).send({ error: { code: answer.code, message: answer.message } } satisfies ApiErrorBody);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not-found', message: `nothing at ${request.method} ${request.url}; the page is GET /, ${ROUTES}.` } } satisfies ApiErrorBody),
  );
}

function apiErrorOf(error: FastifyError, uploadLimit: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError(413, 'too-large', `the upload is larger than the server's limit of ${uploadLimit} bytes; concept files are far smaller (about 60 KB for SD 1.5), so check that this is a concept file.`);
  }
  if (error.validation !== undefined) return new ApiError(400, 'invalid-request', `${error.validationContext ?? 'request'} ${error.message}; ${ROUTES}.`);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return new ApiError(error.statusCode, 'bad-request', error.message);
  return new ApiError(500, 'internal', `the server failed: ${error.message}`);
}
