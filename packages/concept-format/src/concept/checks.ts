import { ConceptTensorError, InvalidMetadataError, NonFiniteValueError } from '../errors.js';
import type { InferenceDefaults, JsonData } from './types.js';

/**
 * Field checks shared by the writer (checking what it is given) and the reader (checking what a file
 * holds), so both enforce the same rules with the same messages.
 */

/** The token must be one prompt word: non-empty, no whitespace, no control characters. */
export function checkToken(file: string, token: unknown): string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new InvalidMetadataError(file, 'token', `must be a non-empty string, got ${describe(token)}; use the word prompts will contain, e.g. '<my-cat>'.`);
  }
  if (/[\s\p{Cc}]/u.test(token)) {
    throw new InvalidMetadataError(file, 'token', `${JSON.stringify(token)} contains whitespace or a control character; a token must be a single prompt word, e.g. '<my-cat>'.`);
  }
  return token;
}

/** The supercategory: non-empty words without surrounding whitespace, line breaks or control characters. */
export function checkSupercategory(file: string, word: unknown): string {
  if (typeof word !== 'string' || word.length === 0) {
    throw new InvalidMetadataError(file, 'supercategory', `must be a non-empty string, got ${describe(word)}; use the class word, e.g. 'cat'.`);
  }
  if (word !== word.trim() || /[\p{Cc}\u2028\u2029]/u.test(word)) {
    throw new InvalidMetadataError(file, 'supercategory', `${JSON.stringify(word)} has surrounding whitespace or a control character; use the plain class word, e.g. 'cat'.`);
  }
  return word;
}

/** β finite, τ finite and positive. */
export function checkDefaults(file: string, defaults: InferenceDefaults): InferenceDefaults {
  if (typeof defaults.beta !== 'number' || !Number.isFinite(defaults.beta)) {
    throw new InvalidMetadataError(file, 'defaults', `beta must be a finite number, got ${describe(defaults.beta)}; the usual value is 0.7.`);
  }
  if (typeof defaults.tau !== 'number' || !Number.isFinite(defaults.tau) || defaults.tau <= 0) {
    throw new InvalidMetadataError(file, 'defaults', `tau must be a finite number > 0, got ${describe(defaults.tau)}; the usual value is 0.15.`);
  }
  return { beta: defaults.beta, tau: defaults.tau };
}

/** A non-empty string (fingerprints, layer names). */
export function checkNonEmptyString(file: string, key: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidMetadataError(file, key, `${what} must be a non-empty string, got ${describe(value)}.`);
  return value;
}

/** A JSON object whose numbers are all finite (what survives JSON.stringify unchanged). */
export function checkJsonObject(file: string, key: string, value: unknown): { [k: string]: JsonData } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidMetadataError(file, key, `must be a JSON object, got ${describe(value)}.`);
  }
  checkJsonData(file, key, value, key, 0);
  return value as { [k: string]: JsonData };
}

function checkJsonData(file: string, key: string, value: unknown, path: string, depth: number): void {
  if (depth > 32) throw new InvalidMetadataError(file, key, `${path} nests deeper than 32 levels.`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidMetadataError(file, key, `${path} is ${value}, which JSON cannot store; store a finite number or a string.`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJsonData(file, key, item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, item] of Object.entries(value)) checkJsonData(file, key, item, `${path}.${k}`, depth + 1);
    return;
  }
  throw new InvalidMetadataError(file, key, `${path} is ${describe(value)}, which is not JSON data.`);
}

/** A Float32Array of `length` values (when given) or of at least one value. */
export function checkFloat32Array(file: string, field: string, value: unknown, what: string, length?: number): Float32Array {
  if (!(ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Float32Array]')) {
    throw new ConceptTensorError(file, field, `${what} must be a Float32Array, got ${describe(value)}; convert it with Float32Array.from().`);
  }
  const array = value as Float32Array;
  if (length !== undefined && array.length !== length) {
    throw new ConceptTensorError(file, field, `${what} has ${array.length} values but must have ${length}.`);
  }
  if (array.length === 0) throw new ConceptTensorError(file, field, `${what} is empty.`);
  return array;
}

/** Every value finite; the error names the first NaN or ±Infinity by its index. */
export function checkFinite(file: string, field: string, values: ArrayLike<number>, advice: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteValueError(file, field, i, v, advice);
  }
}

/**
 * Where element `i` of the concatenated value targets lies: the field `value_targets[<layer>]` and
 * the index within that layer.
 */
export function locateValueTarget(layers: readonly { layer: string; width: number }[], i: number): { field: string; index: number } {
  let start = 0;
  for (const { layer, width } of layers) {
    if (i < start + width) return { field: `value_targets[${layer}]`, index: i - start };
    start += width;
  }
  return { field: 'value_targets', index: i };
}

/** A short description of a value's type for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}
