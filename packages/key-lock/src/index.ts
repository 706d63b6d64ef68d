export {
  KeyLockError,
  KeyLockDimensionError,
  GateParameterError,
  EmptyConceptListError,
  DegenerateConceptError,
  EmptyCovarianceError,
  KeyLockArgumentError,
} from './errors.js';
export type { FloatArray } from './checks.js';
export {
  CovarianceAccumulator,
  type CovarianceAccumulatorOptions,
  type CovarianceEstimate,
} from './covariance-accumulator.js';
export { CovarianceInverse, DEFAULT_RELATIVE_RIDGE, type CovarianceInverseOptions } from './covariance-inverse.js';
export { builtInCaptions, DEFAULT_CAPTION_COUNT, MAX_CAPTION_COUNT, type CaptionCorpusOptions } from './caption-corpus.js';
export { conceptDirection, similarity, type ConceptDirection } from './concept-direction.js';
export {
  conceptGate,
  gate,
  sigmoid,
  checkGateParameters,
  TRAINING_GATE,
  INFERENCE_GATE,
  type GateParameters,
} from './gate.js';
export {
  projectionBasis,
  MULTI_CONCEPT_MODES,
  DEPENDENCE_TOLERANCE,
  type MultiConceptMode,
  type ProjectionBasis,
} from './projection-basis.js';
export { coefficients, type GatedConcept, type CoefficientOptions } from './coefficients.js';
export { project, projectTransposed, keyLockTarget, layerRows, keyRows, valueRows, type ProjectionWeight } from './layer-rows.js';
export { editedProjection } from './apply-edit.js';
export { globalLocking, supercategoryTokenIds, type TokenReplacement } from './global-locking.js';
