import { InvalidRequestError } from '../errors.js';
import type { ValidatedRequest } from '../validate-request.js';
import type { ConceptPlan } from './concept-plan.js';
import type { PerfusionRuntime } from './perfusion-runtime.js';

/**
 * Reads and checks the request's concepts (before any model runs). Undefined without concepts.
 * @throws InvalidRequestError for concepts or global locking on a pipeline without Perfusion, and
 *   for every concept problem (see `PerfusionRuntime.plan`).
 */
export async function planConcepts(perfusion: PerfusionRuntime | undefined, validated: ValidatedRequest): Promise<ConceptPlan | undefined> {
  const { concepts, request } = validated;
  if (perfusion === undefined && (concepts.length > 0 || request.globalLocking)) {
    const field = concepts.length > 0 ? 'concepts' : 'globalLocking';
    throw new InvalidRequestError(field, field === 'concepts' ? concepts : true, 'the pipeline was loaded with { perfusion: false }; load it with Perfusion (the default) to use concepts.');
  }
  if (perfusion === undefined) return undefined;
  if (request.globalLocking && !perfusion.globalLocking) {
    throw new InvalidRequestError('globalLocking', true, 'global locking needs the UNet patched with separate key states; load the pipeline with { perfusion: { globalLocking: true } }.');
  }
  if (concepts.length === 0) return undefined;
  return perfusion.plan(concepts, { multiConcept: request.multiConcept, globalLocking: request.globalLocking });
}

