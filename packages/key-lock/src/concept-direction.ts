import { checkEncoding, checkFinite, dot, type FloatArray } from './checks.js';
import type { CovarianceInverse } from './covariance-inverse.js';
import { DegenerateConceptError } from './errors.js';

/**
 * A concept's input i* together with what the gates need from C⁻¹, computed once per concept and
 * base model (d solves' worth of work: one C⁻¹ application).
 */
export interface ConceptDirection {
  /** d. */
  readonly dim: number;
  /** i*: the concept's input (the text encoding at its token), as float64. */
  readonly input: Float64Array;
  /** C⁻¹ i*. */
  readonly cInvInput: Float64Array;
  /** i*ᵀ C⁻¹ i* (> 0). */
  readonly energy: number;
  /** u = C⁻¹ i* / (i*ᵀ C⁻¹ i*), so that sim(e) = e · u. */
  readonly simVector: Float64Array;
  /** A label for error messages (e.g. the concept's token). */
  readonly name?: string;
}

/** i*, C⁻¹ i*, i*ᵀC⁻¹i* and u = C⁻¹i* / (i*ᵀC⁻¹i*) for one concept. */
export function conceptDirection(inputEncoding: FloatArray, covarianceInverse: CovarianceInverse, name?: string): ConceptDirection {
  const where = `conceptDirection(${name === undefined ? 'inputEncoding' : `'${name}'`})`;
  checkEncoding(where, inputEncoding, covarianceInverse.dim);
  checkFinite(where, inputEncoding);
  const input = Float64Array.from(inputEncoding);
  const cInvInput = covarianceInverse.apply(input);
  const energy = dot(input, cInvInput);
  if (!(energy > 0 && Number.isFinite(energy))) throw new DegenerateConceptError(where, energy);
  const simVector = cInvInput.map((v) => v / energy);
  return { dim: input.length, input, cInvInput, energy, simVector, ...(name === undefined ? {} : { name }) };
}

/** sim(e) = eᵀ C⁻¹ i* / (i*ᵀ C⁻¹ i*) for the encoding `e[offset .. offset + d)`; 1 at e = i*, 0 when e is C⁻¹-orthogonal to i*. */
export function similarity(e: FloatArray, direction: ConceptDirection, offset = 0): number {
  if (offset === 0) checkEncoding('similarity(e)', e, direction.dim);
  return dot(e, direction.simVector, offset);
}
