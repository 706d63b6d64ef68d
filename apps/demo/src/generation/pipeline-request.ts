import { validateRequest, type ConceptRequest, type GenerationRequest } from '@perfusion/pipeline';
import { createScheduler } from '@perfusion/scheduler';
import type { ConceptFolder } from '../concepts/concept-folder.js';
import { ConceptFolderError } from '../concepts/concept-folder-error.js';
import type { ModelInfo } from '../model-info.js';
import type { DemoRequest } from './client-messages.js';

/**
 * The pipeline request for a client's request: concepts are looked up by id in the concepts folder
 * only, read there and passed to the worker as objects (so the worker never opens a path that came
 * from a client), and the whole request is validated as the pipeline would (no model runs) so that
 * a bad one is refused before it takes a place in the queue. The seed is fixed here (random when
 * absent), so every variant of a sweep shares it.
 * @throws {ConceptFolderError} for a concept id that is not usable (`incompatible-concept` when the
 *   file is for another model); the pipeline's `InvalidRequestError` for a field it refuses.
 */
export async function pipelineRequest(request: DemoRequest, folder: ConceptFolder, info: ModelInfo): Promise<GenerationRequest> {
  const concepts: ConceptRequest[] = [];
  for (const choice of request.concepts ?? []) {
    const { concept, entry } = await folder.load(choice.id);
    if (!entry.compatible) {
      throw new ConceptFolderError('incompatible-concept', `concept "${entry.id}" cannot be used with this server's model: ${entry.problems.join(' ')}`);
    }
    concepts.push({ concept, ...(choice.beta !== undefined && { beta: choice.beta }), ...(choice.tau !== undefined && { tau: choice.tau }) });
  }
  const draft: GenerationRequest = {
    prompt: request.prompt,
    scheduler: request.scheduler ?? info.status.defaultScheduler,
    previews: request.previews ?? true,
    ...(request.negativePrompt !== undefined && { negativePrompt: request.negativePrompt }),
    ...(request.seed !== undefined && { seed: request.seed }),
    ...(request.steps !== undefined && { steps: request.steps }),
    ...(request.guidanceScale !== undefined && { guidanceScale: request.guidanceScale }),
    ...(request.width !== undefined && { width: request.width }),
    ...(request.height !== undefined && { height: request.height }),
    ...(concepts.length > 0 && { concepts }),
  };
  const { request: checked } = validateRequest(draft, info.model, createScheduler);
  return { ...draft, seed: checked.seed };
}

/** The request of a sweep's variant: every concept with the variant's β. */
export function withBeta(request: GenerationRequest, beta: number): GenerationRequest {
  return { ...request, concepts: (request.concepts ?? []).map((c) => ({ ...c, beta })) };
}
