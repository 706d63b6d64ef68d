import {
  BaseModelMismatchError,
  ConceptDimensionError,
  LayerWidthMismatchError,
  MissingLayerError,
  UnexpectedLayerError,
  type ConceptFormatError,
} from '../errors.js';
import { CONCEPT_TENSORS as TENSOR } from './layout.js';
import type { ConceptExpectation, ConceptFile, ModelDescription } from './types.js';

/** The parts of a concept that compatibility looks at. */
export type CompatibilitySubject = Pick<ConceptFile, 'baseModel' | 'inputEncoding' | 'wordEmbedding' | 'valueTargets'>;

interface ProblemBase {
  /** The file field at fault, as in the matching error. */
  field: string;
  /** The message of the error {@link readConcept} would throw for this problem. */
  message: string;
}

/** One reason a concept cannot be used with a model; `kind` tells them apart. */
export type CompatibilityProblem =
  | (ProblemBase & { kind: 'base-model'; conceptFingerprint: string; modelFingerprint: string })
  | (ProblemBase & { kind: 'encoding-dim'; conceptDim: number; modelDim: number })
  | (ProblemBase & { kind: 'embedding-dim'; conceptDim: number; modelDim: number })
  | (ProblemBase & { kind: 'missing-layers'; layers: string[] })
  | (ProblemBase & { kind: 'unexpected-layers'; layers: string[] })
  | (ProblemBase & { kind: 'layer-width'; layer: string; conceptWidth: number; modelWidth: number });

/** A problem without its field and message (distributes over the union). */
type ProblemData = CompatibilityProblem extends infer P ? (P extends unknown ? Omit<P, 'field' | 'message'> : never) : never;

/**
 * Everything that stops `concept` from being used with `model`, most telling first: another base
 * model's fingerprint, then encoding and embedding widths, then layers the model has and the concept
 * lacks, layers the concept has and the model lacks, and layers whose widths differ. Empty means
 * compatible. `file` labels the messages (default `'<concept>'`).
 */
export function compatibility(concept: CompatibilitySubject, model: ModelDescription, file = '<concept>'): CompatibilityProblem[] {
  return findProblems(concept, model, file).map(({ problem }) => problem);
}

/** Throws the first of {@link compatibility}'s problems, for the fields of `expect` that are given. */
export function assertCompatible(concept: CompatibilitySubject, expect: ConceptExpectation, file = '<concept>'): void {
  const first = findProblems(concept, expect, file)[0];
  if (first) throw first.error;
}

function findProblems(concept: CompatibilitySubject, expect: ConceptExpectation, file: string): { problem: CompatibilityProblem; error: ConceptFormatError }[] {
  const found: { problem: CompatibilityProblem; error: ConceptFormatError }[] = [];
  const add = (error: ConceptFormatError, problem: ProblemData) =>
    found.push({ error, problem: { ...problem, field: error.field, message: error.message } as CompatibilityProblem });

  if (expect.fingerprint !== undefined && expect.fingerprint !== concept.baseModel.fingerprint) {
    add(new BaseModelMismatchError(file, concept.baseModel.fingerprint, expect.fingerprint), {
      kind: 'base-model',
      conceptFingerprint: concept.baseModel.fingerprint,
      modelFingerprint: expect.fingerprint,
    });
  }
  if (expect.encodingDim !== undefined && expect.encodingDim !== concept.inputEncoding.length) {
    const conceptDim = concept.inputEncoding.length;
    add(new ConceptDimensionError(file, TENSOR.inputEncoding, conceptDim, expect.encodingDim, 'the text encoding (i*, i_super)'), {
      kind: 'encoding-dim',
      conceptDim,
      modelDim: expect.encodingDim,
    });
  }
  if (expect.embeddingDim !== undefined && expect.embeddingDim !== concept.wordEmbedding.length) {
    const conceptDim = concept.wordEmbedding.length;
    add(new ConceptDimensionError(file, TENSOR.wordEmbedding, conceptDim, expect.embeddingDim, 'the word embedding'), {
      kind: 'embedding-dim',
      conceptDim,
      modelDim: expect.embeddingDim,
    });
  }
  if (expect.layers !== undefined) {
    const mine = new Map(concept.valueTargets.map((t) => [t.layer, t.width]));
    const theirs = new Map(expect.layers.map((l) => [l.layer, l.width]));
    const missing = [...theirs.keys()].filter((layer) => !mine.has(layer));
    const extra = [...mine.keys()].filter((layer) => !theirs.has(layer));
    if (missing.length > 0) add(new MissingLayerError(file, missing), { kind: 'missing-layers', layers: missing });
    if (extra.length > 0) add(new UnexpectedLayerError(file, extra), { kind: 'unexpected-layers', layers: extra });
    for (const [layer, modelWidth] of theirs) {
      const conceptWidth = mine.get(layer);
      if (conceptWidth !== undefined && conceptWidth !== modelWidth) {
        add(new LayerWidthMismatchError(file, layer, conceptWidth, modelWidth), { kind: 'layer-width', layer, conceptWidth, modelWidth });
      }
    }
  }
  return found;
}
