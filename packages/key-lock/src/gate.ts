import type { FloatArray } from './checks.js';
import { similarity, type ConceptDirection } from './concept-direction.js';
import { GateParameterError } from './errors.js';

/** A gate's bias β and temperature τ: g = sigmoid((sim − β) / τ). */
export interface GateParameters {
  /** The sim at which the gate is ½; any finite number (higher weakens the concept). */
  readonly beta: number;
  /** Temperature, > 0 (smaller: a sharper gate). */
  readonly tau: number;
}

/** β = 0.75, τ = 0.1: the values public implementations train with. */
export const TRAINING_GATE: GateParameters = Object.freeze({ beta: 0.75, tau: 0.1 });
/** β = 0.7, τ = 0.15: the inference defaults of public implementations (β ≈ 0.6 for several concepts). */
export const INFERENCE_GATE: GateParameters = Object.freeze({ beta: 0.7, tau: 0.15 });

/** Throws {@link GateParameterError} unless β is finite and τ is finite and > 0. */
export function checkGateParameters(parameters: GateParameters, where: string): void {
  if (!Number.isFinite(parameters.beta)) throw new GateParameterError('beta', parameters.beta, where);
  if (!(Number.isFinite(parameters.tau) && parameters.tau > 0)) throw new GateParameterError('tau', parameters.tau, where);
}

/** The logistic function, without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const z = Math.exp(x);
  return z / (1 + z);
}

/** g = sigmoid((sim − β) / τ), in (0, 1). */
export function gate(sim: number, parameters: GateParameters): number {
  return sigmoid((sim - parameters.beta) / parameters.tau);
}

/** sim(e) and g(e) of one concept for one encoding e (length d). */
export function conceptGate(e: FloatArray, direction: ConceptDirection, parameters: GateParameters): { sim: number; gate: number } {
  checkGateParameters(parameters, `conceptGate(${direction.name === undefined ? 'concept' : `'${direction.name}'`})`);
  const sim = similarity(e, direction);
  return { sim, gate: gate(sim, parameters) };
}
