import { compatibility, type CompatibilityProblem, type ConceptFile } from '@perfusion/concept-format';
import type { ClipTokenizer, TokenizerDefinition, ClipTextCleanup } from '@perfusion/encoders';
import { coefficients, type ConceptDirection, type MultiConceptMode, type TokenReplacement } from '@perfusion/key-lock';
import { Tensor } from '@perfusion/tensor-core';
import { noConceptFeeds, perfusionFeeds, type LayerWeights, type PatchedUnet } from '@perfusion/unet';
import { InvalidRequestError, PerfusionUnavailableError } from '../errors.js';
import type { ConceptRequest, ResolvedConceptRequest } from '../request.js';
import type { ConceptPlan, PlannedConcept } from './concept-plan.js';
import { buildRowSet, directionOf, type ConceptRowSet } from './concept-rows.js';
import { loadConceptSource, type LoadedConcept } from './concept-source.js';
import { ConceptTokenizers, extraEmbeddingRows } from './concept-tokenizer.js';
import { CovarianceStore, type CovarianceInfo, type CovarianceOptions, type CovarianceWaiter } from './covariance-store.js';
import { conceptFromWords, type ConceptFromWordsOptions } from './from-words.js';
import { LruMap } from './lru.js';
import { modelExpectation, type PerfusionModelDescription } from './model-description.js';

/** What the runtime needs from the text encoder: a `TextEncoder` created with `addedTokens`. */
export interface PerfusionTextEncoder {
  encode(ids: readonly Int32Array[], options?: { extraEmbeddings?: Float32Array }): Promise<Tensor<'float32'>>;
  readTokenEmbedding(ids: number | ArrayLike<number>): Promise<Float32Array>;
  readonly addedTokens?: boolean;
  readonly vocabSize: number | undefined;
  readonly tokenEmbeddingDim?: number | undefined;
}

/** Counters of the work the runtime did (each cache miss), for tests and diagnostics. */
export interface PerfusionStats {
  /** Concept directions (C⁻¹ i*) computed. */
  readonly directions: number;
  /** Row sets (every layer's K and V rows for a set of concepts) built. */
  readonly rowSets: number;
  /** Coefficient matrices [S | G] computed (one per generation with concepts). */
  readonly coefficients: number;
  /** Covariances computed (not read from the cache). */
  readonly covariances: number;
}

/** What `Pipeline.conceptCompatibility` returns. */
export interface ConceptCompatibility {
  readonly concept: ConceptFile;
  /** The file's absolute path, or undefined for an object. */
  readonly file: string | undefined;
  /** The model it was checked against. */
  readonly model: PerfusionModelDescription;
  /** Empty when the concept can be used with this model (see concept-format's `compatibility`). */
  readonly problems: readonly CompatibilityProblem[];
}

/** The conditioning a generation's UNet calls get from its concepts. */
export interface ConceptConditioning {
  /** `[rows, tokens, 2M]`: [S | G] for every encoded prompt row (before repeating for the batch). */
  readonly coefficients: Float32Array;
  readonly rowSet: ConceptRowSet;
}

/** Everything `PerfusionRuntime` is made of (see `loadPipeline`). */
export interface PerfusionRuntimeParts {
  readonly description: PerfusionModelDescription;
  readonly patched: PatchedUnet;
  readonly weights: readonly LayerWeights[];
  readonly encoder: PerfusionTextEncoder;
  readonly tokenizerDefinition: TokenizerDefinition;
  readonly cleanup: ClipTextCleanup;
  readonly covarianceDirs: readonly string[];
}

/**
 * A pipeline's Perfusion side: the patched UNet's description and weights, the covariance, and the
 * caches that make β/τ live knobs — concept directions per concept (keyed by content) and row sets
 * per set of concepts and mode, invalidated only when the covariance changes. Registered in the
 * pipeline's container under `PERFUSION` by `loadPipeline`.
 */
export class PerfusionRuntime {
  readonly description: PerfusionModelDescription;
  /** The patched UNet the pipeline runs (its layers, dtype, inputs, whether K reads separate states). */
  readonly patched: PatchedUnet;
  readonly covarianceStore: CovarianceStore;
  /** W_K and W_V of every cross-attention layer, in `patched.layers` order (read once at load; the trainer builds its rows from them). */
  readonly weights: readonly LayerWeights[];
  private readonly encoder: PerfusionTextEncoder;
  private readonly tokenizers: ConceptTokenizers;
  private readonly directions = new LruMap<string, ConceptDirection>(64);
  private readonly rowSets = new LruMap<string, ConceptRowSet>(8);
  private readonly counts = { directions: 0, rowSets: 0, coefficients: 0 };

  constructor(parts: PerfusionRuntimeParts) {
    this.description = parts.description;
    this.patched = parts.patched;
    this.weights = parts.weights;
    this.encoder = parts.encoder;
    this.tokenizers = new ConceptTokenizers(parts.tokenizerDefinition, parts.cleanup);
    const base = this.tokenizers.withTokens([]);
    this.covarianceStore = new CovarianceStore(parts.description.fingerprint, parts.description.encodingDim, base, parts.encoder, parts.covarianceDirs, () => {
      this.directions.clear();
      this.rowSets.clear();
    });
  }

  /** Whether requests may ask for `globalLocking` (the UNet was patched with separate key states). */
  get globalLocking(): boolean {
    return this.patched.separateKeyStates;
  }

  get stats(): PerfusionStats {
    return { ...this.counts, covariances: this.covarianceStore.computations };
  }

  /** The model's tokenizer without concept tokens (built from its files once and shared: do not add tokens to it, use {@link tokenizerWith}). */
  get baseTokenizer(): ClipTokenizer {
    return this.tokenizers.withTokens([]);
  }

  /**
   * The model's tokenizer plus `tokens` (ids handed out in order from the vocabulary's end), cached
   * per token list and shared: use it, do not add further tokens to it.
   * @throws AddedTokenError for a token already in the vocabulary.
   */
  tokenizerWith(tokens: readonly string[]): ClipTokenizer {
    return this.tokenizers.withTokens(tokens);
  }

  /**
   * Reads and validates a request's concepts against this model (before any model runs): each file
   * with concept-format's strict checks and compatibility (fingerprint, layers, widths, dims), tokens
   * unique and new to the vocabulary; then the tokenizer with their tokens and the extra embeddings.
   * @throws InvalidRequestError naming `concepts[i]...` (its `cause` is concept-format's typed error).
   */
  async plan(specs: readonly ConceptRequest[], options: { multiConcept: MultiConceptMode; globalLocking: boolean }): Promise<ConceptPlan> {
    if (options.globalLocking && !this.globalLocking) {
      throw new InvalidRequestError(
        'globalLocking',
        true,
        'global locking needs the UNet patched with separate key states; load the pipeline with { perfusion: { globalLocking: true } }.',
      );
    }
    if (this.encoder.addedTokens !== true || this.encoder.vocabSize === undefined) {
      throw new InvalidRequestError(
        'concepts',
        specs,
        "the pipeline's text encoder takes no added tokens (TEXT_ENCODER was replaced by one created without { addedTokens: true }); register one created with it.",
      );
    }
    const expect = modelExpectation(this.description);
    const loaded: LoadedConcept[] = [];
    for (const [i, spec] of specs.entries()) {
      try {
        loaded.push(await loadConceptSource(spec.concept, `request.concepts[${i}].concept`, expect));
      } catch (error) {
        throw new InvalidRequestError(`concepts[${i}].concept`, spec.concept, `${(error as Error).message}`, { cause: error });
      }
    }
    const base = this.baseTokenizer;
    loaded.forEach(({ concept }, i) => {
      const first = loaded.findIndex((other) => other.concept.token === concept.token);
      if (first !== i) {
        throw new InvalidRequestError(
          `concepts[${i}].concept`,
          specs[i]!.concept,
          `its token '${concept.token}' is also the token of concepts[${first}]; every concept of a request needs its own token (two concepts cannot share a word in the prompt).`,
        );
      }
      const known = base.tokenToId(concept.token);
      if (known !== undefined) {
        throw new InvalidRequestError(
          `concepts[${i}].concept`,
          specs[i]!.concept,
          `its token '${concept.token}' is already a token of the model's vocabulary (id ${known}); a concept needs a new token such as '<${concept.token.replace(/[<>]/g, '')}-concept>'.`,
        );
      }
    });
    const tokens = loaded.map((l) => l.concept.token);
    const tokenizer = this.tokenizers.withTokens(tokens);
    const concepts: PlannedConcept[] = loaded.map((l, i) => ({
      loaded: l,
      beta: specs[i]!.beta ?? l.concept.defaults.beta,
      tau: specs[i]!.tau ?? l.concept.defaults.tau,
      tokenId: tokenizer.tokenToId(l.concept.token)!,
    }));
    const extraEmbeddings = extraEmbeddingRows(
      concepts.map((c) => c.tokenId),
      loaded.map((l) => l.concept.wordEmbedding),
      this.encoder.vocabSize,
      this.description.embeddingDim,
    );
    const replacements: TokenReplacement[] = options.globalLocking
      ? concepts.map((c) => ({ conceptTokenId: c.tokenId, supercategoryTokenId: base.tokenIds(c.loaded.concept.supercategory).at(-1)! }))
      : [];
    const resolved: ResolvedConceptRequest[] = concepts.map((c) => ({
      token: c.loaded.concept.token,
      supercategory: c.loaded.concept.supercategory,
      file: c.loaded.file,
      beta: c.beta,
      tau: c.tau,
    }));
    return { concepts, tokenizer, extraEmbeddings, multiConcept: options.multiConcept, globalLocking: options.globalLocking, replacements, resolved };
  }

  /**
   * Loads the covariance, or computes it now (see `CovarianceStore.ensure`). Resolves true when it
   * is ready, false when every waiter was cancelled first.
   */
  async ensureCovariance(waiter: CovarianceWaiter): Promise<boolean> {
    return (await this.covarianceStore.ensure(waiter)) !== undefined;
  }

  /** `Pipeline.covariance`. */
  covariance(options?: CovarianceOptions): Promise<CovarianceInfo> {
    return this.covarianceStore.get(options);
  }

  /**
   * [S | G] for every token of `encoded` ([rows, tokens, d], the concept prompt's encodings) and the
   * set's rows. Directions and rows come from the caches (built on first use); only the
   * coefficients are computed every time. The covariance must be loaded ({@link ensureCovariance}).
   */
  conditioning(plan: ConceptPlan, encoded: Float32Array): ConceptConditioning {
    const inverse = this.covarianceStore.inverse;
    if (inverse === undefined) throw new Error('PerfusionRuntime.conditioning: the covariance is not loaded (call ensureCovariance first).');
    const key = `${plan.multiConcept}|${plan.globalLocking ? 'global' : 'local'}|${plan.concepts.map((c) => c.loaded.key).join(',')}`;
    let rowSet = this.rowSets.get(key);
    if (rowSet === undefined) {
      const directions = plan.concepts.map((c) => this.direction(c.loaded));
      rowSet = buildRowSet(
        plan.concepts.map((c) => c.loaded.concept),
        directions,
        this.weights,
        plan.multiConcept,
        plan.globalLocking,
      );
      this.counts.rowSets++;
      this.rowSets.set(key, rowSet);
    }
    const gated = plan.concepts.map((c, k) => ({ direction: rowSet.basis.directions[k]!, beta: c.beta, tau: c.tau }));
    this.counts.coefficients++;
    return { coefficients: coefficients(encoded, gated, { basis: rowSet.basis }), rowSet };
  }

  /**
   * The patched UNet's extra feeds for one generation: `hiddenStates` are the UNet's text states
   * ([rows, tokens, d], unconditional rows first), `conditioning` the concepts' (coefficients
   * already laid out like `hiddenStates`), `keyStates` the supercategory prompt's states (global locking).
   * Without concepts, M = 0 feeds: the UNet then computes what the unpatched one does.
   */
  unetFeeds(hiddenStates: Tensor<'float32'>, conditioning?: { coefficients: Float32Array; rowSet: ConceptRowSet }, keyStates?: Tensor<'float32'>): Record<string, Tensor> {
    const [rows, tokens] = hiddenStates.shape as [number, number, number];
    const keys = this.patched.separateKeyStates ? (keyStates ?? hiddenStates) : undefined;
    if (conditioning === undefined) return noConceptFeeds(this.patched, rows, tokens, keys);
    const columns = conditioning.coefficients.length / (rows * tokens);
    return perfusionFeeds(this.patched, {
      coefficients: new Tensor('float32', conditioning.coefficients, [rows, tokens, columns]),
      layerRows: conditioning.rowSet.layerRows,
      ...(keys !== undefined && { keyStates: keys }),
    });
  }

  /** sim_k(e) of every concept for every row of `encoded` ([rows·tokens, d]), concept-major: [k][row]. */
  similarities(plan: ConceptPlan, encoded: Float32Array): Float64Array[] {
    const d = this.description.encodingDim;
    const n = encoded.length / d;
    return plan.concepts.map((c) => {
      const direction = this.direction(c.loaded);
      const u = direction.simVector;
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let sim = 0;
        for (let i = 0; i < d; i++) sim += encoded[r * d + i]! * u[i]!;
        out[r] = sim;
      }
      return out;
    });
  }

  /** `Pipeline.conceptFromWords`. */
  conceptFromWords(options: ConceptFromWordsOptions): Promise<ConceptFile> {
    if (this.encoder.addedTokens !== true) {
      throw new PerfusionUnavailableError("conceptFromWords: the pipeline's text encoder takes no added tokens; register one created with { addedTokens: true }.");
    }
    return conceptFromWords(
      { description: this.description, weights: this.weights, encoder: this.encoder, tokenizerWith: (token) => this.tokenizerWith([token]) },
      options,
    );
  }

  /** `Pipeline.conceptCompatibility`. */
  async compatibility(source: string | ConceptFile): Promise<ConceptCompatibility> {
    const loaded = await loadConceptSource(source, 'concept');
    return {
      concept: loaded.concept,
      file: loaded.file,
      model: this.description,
      problems: compatibility(loaded.concept, modelExpectation(this.description), loaded.file ?? 'concept'),
    };
  }

  private direction(loaded: LoadedConcept): ConceptDirection {
    let direction = this.directions.get(loaded.key);
    if (direction === undefined) {
      direction = directionOf(loaded.concept, this.covarianceStore.inverse!);
      this.counts.directions++;
      this.directions.set(loaded.key, direction);
    }
    return direction;
  }
}
