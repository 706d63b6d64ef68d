import type { MultiConceptMode } from '@perfusion/key-lock';
import { PerfusionUnavailableError } from '../errors.js';
import type { GenerationComponents } from '../generation.js';
import type { ResolvedConceptRequest } from '../request.js';
import { tokenizePrompts } from '../text-conditioning.js';
import { validateRequest } from '../validate-request.js';
import { encodeConceptPrompts } from './concept-conditioning.js';
import type { CovarianceProgress } from './compute-covariance.js';
import { planConcepts } from './plan-concepts.js';

/** One token of an encoded prompt row, with every concept's sim and gate there. */
export interface ConceptGateToken {
  /** Position in the row (0 is the start token). */
  readonly index: number;
  readonly id: number;
  /** The vocabulary entry (e.g. `cat</w>`) or the concept token. */
  readonly text: string;
  /** sim_k(e) = eᵀC⁻¹i*_k / i*_kᵀC⁻¹i*_k for each concept k (1 at e = i*_k). */
  readonly sim: readonly number[];
  /** g_k(e) = sigmoid((sim_k − β_k) / τ_k): the G column of the coefficients. */
  readonly gate: readonly number[];
}

/** One encoded prompt row. */
export interface ConceptGateRow {
  /** `'negative'` (the unconditional row, with guidance) or `'prompt'`. */
  readonly role: 'negative' | 'prompt';
  readonly text: string;
  /** Its tokens from the start token up to and including the end token (padding left out). */
  readonly tokens: readonly ConceptGateToken[];
}

/** What `Pipeline.inspectConcepts` returns: the gates a generation with this request would use. */
export interface ConceptGateReport {
  readonly concepts: readonly ResolvedConceptRequest[];
  readonly multiConcept: MultiConceptMode;
  readonly rows: readonly ConceptGateRow[];
  /**
   * The coefficient matrix fed to the UNet before repeating for the batch: [rows, sequence, 2M],
   * columns 0..M−1 S, M..2M−1 G (key-lock's `coefficients`), every position including the padding.
   */
  readonly coefficients: Float32Array;
  /** The sequence length (77). */
  readonly sequenceLength: number;
}

/**
 * The gates of a request's concepts for every token of its prompts, computed exactly as a
 * generation computes them (same validation, tokenizer, encodings, covariance and caches), without
 * running the UNet. For UIs showing where a concept acts, for tuning β/τ, and for tests.
 */
export async function inspectConceptGates(
  components: GenerationComponents,
  rawRequest: unknown,
  onProgress?: (progress: CovarianceProgress) => void | Promise<void>,
): Promise<ConceptGateReport> {
  const { perfusion } = components;
  if (perfusion === undefined) throw new PerfusionUnavailableError('inspectConcepts: the pipeline was loaded with { perfusion: false }; load it with Perfusion (the default).');
  const validated = validateRequest(rawRequest, components.model, components.schedulerFactory);
  const plan = await planConcepts(perfusion, validated);
  if (plan === undefined) throw new PerfusionUnavailableError('inspectConcepts: the request has no concepts; add request.concepts.');
  const request = validated.request;
  const guided = request.guidanceScale > 1;
  const prompts = tokenizePrompts(plan.tokenizer, request.prompt, request.negativePrompt, guided);
  await perfusion.ensureCovariance(onProgress === undefined ? {} : { onProgress });
  const { encoded } = await encodeConceptPrompts(components.textEncoder, plan, prompts.rows);
  const { coefficients } = perfusion.conditioning(plan, encoded.data);
  const sims = perfusion.similarities(plan, encoded.data);
  const [, length] = encoded.shape as [number, number, number];
  const m = plan.concepts.length;
  const texts = guided ? [request.negativePrompt, request.prompt] : [request.prompt];
  const rows = prompts.rows.map((ids, r): ConceptGateRow => {
    const count = ids.indexOf(plan.tokenizer.eosId, 1) + 1 || length;
    const tokens = Array.from({ length: count }, (_, t): ConceptGateToken => {
      const at = r * length + t;
      return {
        index: t,
        id: ids[t]!,
        text: plan.tokenizer.idToToken(ids[t]!) ?? String(ids[t]),
        sim: sims.map((s) => s[at]!),
        gate: Array.from({ length: m }, (_, k) => coefficients[at * 2 * m + m + k]!),
      };
    });
    return { role: guided && r === 0 ? 'negative' : 'prompt', text: texts[r]!, tokens };
  });
  return { concepts: plan.resolved, multiConcept: plan.multiConcept, rows, coefficients, sequenceLength: length };
}
