/**
 * @perfusion/demo: a web page with live denoising — a prompt, concepts with β/τ sliders, step
 * previews as they are made — served by Fastify, with generation in worker threads.
 */
export {
  startDemoServer,
  DEFAULT_CONCEPTS_DIR,
  DEFAULT_HOST,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_PORT,
  DEFAULT_QUEUE,
  DEFAULT_WORKERS,
  type DemoServer,
  type DemoServerOptions,
} from './server.js';
export { parseDemoArgs, DEMO_USAGE, type DemoArgs } from './args.js';
export { ApiError, DemoError, DemoStartError, DemoUsageError } from './errors.js';
export type { ModelStatus } from './model-info.js';
export type { StatusBody } from './http/status-route.js';
export { DEFAULT_MODEL_PROMPT, examplePrompt, type PromptSuggestion } from './example-concept.js';
export type { ApiErrorBody } from './http/api-error-handlers.js';
export type { ConceptEntry, InvalidConceptFile } from './concepts/concept-entry.js';
export type { ConceptListing } from './concepts/concept-folder.js';
export { CONCEPT_NAME_PATTERN, isConceptName } from './concepts/concept-name.js';
export {
  CLIENT_MESSAGE_SCHEMA,
  MAX_IMAGE_SIDE,
  MAX_SWEEP_BETAS,
  MIN_SWEEP_BETAS,
  type ClientMessage,
  type ConceptChoice,
  type DemoRequest,
} from './generation/client-messages.js';
export type { ErrorCode, ServerMessage } from './generation/server-messages.js';
