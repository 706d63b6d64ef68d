import { InvalidRequestError, PipelineReleasedError } from '@perfusion/pipeline';
import { ConceptFolderError } from '../concepts/concept-folder-error.js';
import { InvalidMessageError } from './client-messages.js';
import type { ErrorCode } from './server-messages.js';

/** The `error` message's code and text for what stopped a request or a generation. */
export function errorMessage(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof InvalidMessageError) return { code: 'invalid-message', message: error.message };
  if (error instanceof ConceptFolderError) {
    // 'exists' only concerns uploads; a generation never writes.
    return { code: error.code === 'exists' ? 'invalid-concept' : error.code, message: error.message };
  }
  if (error instanceof InvalidRequestError) return { code: 'invalid-request', message: error.message };
  if (error instanceof PipelineReleasedError) return { code: 'generation-failed', message: 'the server is shutting down; the generation was stopped.' };
  const text = error instanceof Error ? error.message : String(error);
  return { code: 'generation-failed', message: `the generation failed: ${text}` };
}
