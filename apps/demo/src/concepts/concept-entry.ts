import type { ConceptFile, TrainingSummary } from '@perfusion/concept-format';

/** One concept as `GET /api/concepts` lists it (and `POST /api/concepts` returns it). */
export interface ConceptEntry {
  /** The file name inside the concepts folder, e.g. `my-cat.safetensors`: what generation requests name. */
  readonly id: string;
  readonly token: string;
  readonly supercategory: string;
  /** The file's β (gate bias) and τ (gate temperature), used when a request leaves them out. */
  readonly defaults: { readonly beta: number; readonly tau: number };
  /** The file's training summary (steps, seed, loss, ...), when it has one. */
  readonly training?: TrainingSummary;
  /** True when the concept can be used with the server's model. */
  readonly compatible: boolean;
  /** Why it cannot (empty when compatible): concept-format's compatibility messages. */
  readonly problems: readonly string[];
}

/** A `.safetensors` file in the folder that is not a readable concept file. */
export interface InvalidConceptFile {
  readonly id: string;
  readonly message: string;
}

/** The list entry for a concept (the server's folder layout stays on the server: only the file name is shown). */
export function conceptEntry(id: string, concept: ConceptFile, problems: readonly { message: string }[]): ConceptEntry {
  return {
    id,
    token: concept.token,
    supercategory: concept.supercategory,
    defaults: { beta: concept.defaults.beta, tau: concept.defaults.tau },
    ...(concept.training !== undefined && { training: concept.training }),
    compatible: problems.length === 0,
    problems: problems.map((p) => p.message),
  };
}
