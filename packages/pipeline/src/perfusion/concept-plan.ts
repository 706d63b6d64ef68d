import type { ClipTokenizer } from '@perfusion/encoders';
import type { MultiConceptMode, TokenReplacement } from '@perfusion/key-lock';
import type { ResolvedConceptRequest } from '../request.js';
import type { LoadedConcept } from './concept-source.js';

/** One concept of a request, read, validated and given its token id and gate parameters. */
export interface PlannedConcept {
  readonly loaded: LoadedConcept;
  readonly beta: number;
  readonly tau: number;
  /** Its token's id in {@link ConceptPlan.tokenizer}. */
  readonly tokenId: number;
}

/** Everything a request's concepts need before the text encoder runs (made by `PerfusionRuntime.plan`). */
export interface ConceptPlan {
  readonly concepts: readonly PlannedConcept[];
  /** The model's tokenizer with the concepts' tokens added, in request order. */
  readonly tokenizer: ClipTokenizer;
  /** The text encoder's `extraEmbeddings`: each concept token's word embedding at its row. */
  readonly extraEmbeddings: Float32Array;
  readonly multiConcept: MultiConceptMode;
  readonly globalLocking: boolean;
  /** Global locking: each concept token id → its supercategory's last token id. */
  readonly replacements: readonly TokenReplacement[];
  /** What the `start` event reports. */
  readonly resolved: readonly ResolvedConceptRequest[];
}
