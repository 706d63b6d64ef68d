import { randomInt } from 'node:crypto';
import { UnknownSchedulerError, type Scheduler } from '@perfusion/scheduler';
import { MULTI_CONCEPT_MODES, type MultiConceptMode } from '@perfusion/key-lock';
import { NOISE_MODES, type NoiseMode } from '@perfusion/tensor-core';
import { InvalidRequestError } from './errors.js';
import type { PipelineModel } from './model-folder.js';
import {
  DEFAULT_GUIDANCE_SCALE,
  DEFAULT_STEPS,
  MAX_BATCH_SIZE,
  MAX_CONCEPTS,
  MAX_STEPS,
  REQUEST_FIELDS,
  type ConceptRequest,
  type ResolvedGenerationRequest,
} from './request.js';
import type { SchedulerFactory } from './tokens.js';

/**
 * A validated request and the scheduler made for it (timesteps set). The concepts are checked in
 * form only (objects with a path or a concept object, finite β, τ > 0): their files are read and
 * checked against the model by the pipeline, which then fills in `request.concepts`.
 */
export interface ValidatedRequest {
  readonly request: Omit<ResolvedGenerationRequest, 'concepts'>;
  readonly concepts: readonly ConceptRequest[];
  readonly scheduler: Scheduler;
}

const MAX_UINT32_EXCLUSIVE = 2 ** 32;

/**
 * Checks every field of a generation request, fills in the defaults and makes the scheduler.
 * Runs no model. Throws {@link InvalidRequestError} naming the first bad field.
 */
export function validateRequest(request: unknown, model: PipelineModel, schedulerFactory: SchedulerFactory): ValidatedRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidRequestError('', request, 'pass an object such as { prompt: "a photo of a cat" }.');
  }
  const fields = request as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(REQUEST_FIELDS as readonly string[]).includes(key)) {
      throw new InvalidRequestError(key, fields[key], `"${key}" is not a request field; the fields are ${REQUEST_FIELDS.join(', ')}.`);
    }
  }

  const prompt = fields['prompt'];
  if (typeof prompt !== 'string') throw new InvalidRequestError('prompt', prompt, 'pass the prompt as a string.');
  const negativePrompt = fields['negativePrompt'] ?? '';
  if (typeof negativePrompt !== 'string') throw new InvalidRequestError('negativePrompt', negativePrompt, 'pass a string, or leave it out.');

  const steps = integerField(fields, 'steps', DEFAULT_STEPS, 1, MAX_STEPS);
  const guidanceScale = fields['guidanceScale'] ?? DEFAULT_GUIDANCE_SCALE;
  if (typeof guidanceScale !== 'number' || !Number.isFinite(guidanceScale) || guidanceScale < 0) {
    throw new InvalidRequestError('guidanceScale', guidanceScale, 'pass a finite number ≥ 0 (7.5 is usual; at most 1 turns guidance off).');
  }

  const unit = Math.max(8, model.vaeScaleFactor);
  const width = sizeField(fields, 'width', model.defaultWidth, unit);
  const height = sizeField(fields, 'height', model.defaultHeight, unit);

  const noise = fields['noise'] ?? 'default';
  if (typeof noise !== 'string' || !(NOISE_MODES as readonly string[]).includes(noise)) {
    throw new InvalidRequestError('noise', noise, `use one of ${NOISE_MODES.map((m) => `'${m}'`).join(', ')}.`);
  }
  const seed = seedField(fields['seed'], noise as NoiseMode);

  const batchSize = integerField(fields, 'batchSize', 1, 1, MAX_BATCH_SIZE);
  const previews = booleanField(fields, 'previews');
  const returnLatents = booleanField(fields, 'returnLatents');
  const concepts = conceptsField(fields['concepts']);
  const multiConcept = fields['multiConcept'] ?? 'sum';
  if (typeof multiConcept !== 'string' || !(MULTI_CONCEPT_MODES as readonly string[]).includes(multiConcept)) {
    throw new InvalidRequestError('multiConcept', multiConcept, "use 'sum' (the paper's approximation, default) or 'exact' (appendix B).");
  }
  const globalLocking = booleanField(fields, 'globalLocking');

  const { name: schedulerName, scheduler } = makeScheduler(fields['scheduler'], model, schedulerFactory);
  try {
    scheduler.setTimesteps(steps);
  } catch (error) {
    throw new InvalidRequestError('steps', steps, `the ${schedulerName} scheduler rejects it (${(error as Error).message}).`);
  }
  if (scheduler.timesteps.length === 0) {
    throw new InvalidRequestError('steps', steps, `the ${schedulerName} scheduler made no timesteps from it; pass more steps.`);
  }

  return {
    request: {
      prompt,
      negativePrompt,
      steps,
      guidanceScale,
      width,
      height,
      seed,
      scheduler: schedulerName,
      noise: noise as NoiseMode,
      batchSize,
      previews,
      returnLatents,
      multiConcept: multiConcept as MultiConceptMode,
      globalLocking,
    },
    concepts,
    scheduler,
  };
}

/** The concepts' form: an array of { concept: path | ConceptFile, beta?, tau? } (files are read later). */
function conceptsField(value: unknown): ConceptRequest[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidRequestError('concepts', value, 'pass an array of { concept: "path/to/concept.safetensors", beta?, tau? }.');
  if (value.length > MAX_CONCEPTS) throw new InvalidRequestError('concepts', value, `at most ${MAX_CONCEPTS} concepts can be combined in one request.`);
  return value.map((entry: unknown, i): ConceptRequest => {
    const field = `concepts[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new InvalidRequestError(field, entry, 'pass { concept: "path/to/concept.safetensors", beta?, tau? }.');
    }
    const item = entry as Record<string, unknown>;
    for (const key of Object.keys(item)) {
      if (key !== 'concept' && key !== 'beta' && key !== 'tau') {
        throw new InvalidRequestError(`${field}.${key}`, item[key], `"${key}" is not a concept field; the fields are concept, beta, tau.`);
      }
    }
    const concept = item['concept'];
    if (typeof concept === 'string' ? concept === '' : typeof concept !== 'object' || concept === null || Array.isArray(concept)) {
      throw new InvalidRequestError(`${field}.concept`, concept, 'pass the path of a concept file, or a concept object (ConceptFile, e.g. from readConcept or conceptFromWords).');
    }
    const beta = item['beta'];
    if (beta !== undefined && (typeof beta !== 'number' || !Number.isFinite(beta))) {
      throw new InvalidRequestError(`${field}.beta`, beta, 'β (the gate bias) must be a finite number (0.7 is usual; higher weakens the concept); or leave it out for the file\'s default.');
    }
    const tau = item['tau'];
    if (tau !== undefined && (typeof tau !== 'number' || !Number.isFinite(tau) || tau <= 0)) {
      throw new InvalidRequestError(`${field}.tau`, tau, 'τ (the gate temperature) must be a finite number > 0 (0.15 is usual; smaller is a sharper gate); or leave it out for the file\'s default.');
    }
    return { concept: concept as ConceptRequest['concept'], ...(beta !== undefined && { beta }), ...(tau !== undefined && { tau }) };
  });
}

function integerField(fields: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const value = fields[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidRequestError(field, value, `pass an integer from ${min} to ${max}.`);
  }
  return value;
}

function sizeField(fields: Record<string, unknown>, field: 'width' | 'height', fallback: number, unit: number): number {
  const value = fields[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value % unit !== 0) {
    const hint =
      typeof value === 'number' && Number.isFinite(value) && value > unit
        ? ` such as ${Math.floor(value / unit) * unit} or ${Math.ceil(value / unit) * unit}`
        : ` such as ${fallback}`;
    throw new InvalidRequestError(field, value, `the ${field} in pixels must be a positive multiple of ${unit}${hint}.`);
  }
  return value;
}

function booleanField(fields: Record<string, unknown>, field: string): boolean {
  const value = fields[field] ?? false;
  if (typeof value !== 'boolean') throw new InvalidRequestError(field, value, 'pass true or false, or leave it out.');
  return value;
}

/** A seed the noise mode accepts; random in [0, 2^32) (valid for every mode) when absent. */
function seedField(value: unknown, noise: NoiseMode): number {
  if (value === undefined) return randomInt(0, MAX_UINT32_EXCLUSIVE);
  if (noise === 'numpy') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= MAX_UINT32_EXCLUSIVE) {
      throw new InvalidRequestError('seed', value, "noise 'numpy' (NumPy's RandomState) takes an integer in [0, 2^32).");
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidRequestError('seed', value, `noise '${noise}' takes an integer in [-(2^53 − 1), 2^53 − 1].`);
  }
  return value;
}

function makeScheduler(value: unknown, model: PipelineModel, factory: SchedulerFactory): { name: string; scheduler: Scheduler } {
  let name: string;
  if (value === undefined) {
    if (model.defaultScheduler === undefined) {
      throw new InvalidRequestError(
        'scheduler',
        value,
        `the model's scheduler_config.json names ${model.schedulerClassName === undefined ? 'no scheduler class' : `"${model.schedulerClassName}"`}, ` +
          'which no scheduler here implements; name one, e.g. "pndm", "ddim" or "euler".',
      );
    }
    name = model.defaultScheduler;
  } else if (typeof value !== 'string') {
    throw new InvalidRequestError('scheduler', value, 'pass a scheduler name such as "pndm", "ddim" or "euler".');
  } else {
    name = value;
  }
  try {
    return { name, scheduler: factory(name, model.schedulerConfig) };
  } catch (error) {
    if (error instanceof UnknownSchedulerError) {
      throw new InvalidRequestError('scheduler', value, `unknown scheduler; use one of ${error.known.map((n) => `"${n}"`).join(', ')}.`);
    }
    throw new InvalidRequestError('scheduler', name, `the scheduler cannot be made for this model (${(error as Error).message}).`);
  }
}
