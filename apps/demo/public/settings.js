// The generation settings: filled from /api/status, read into a request.

import { getJson } from './api.js';

const $ = (id) => document.getElementById(id);
const MAX_SEED = 2 ** 32 - 1;
const MAX_STEPS = 1000;

/** A form value the page refuses before sending; `field` is the control to focus. */
export class FormError extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

/**
 * Fills the scheduler list, the default steps and the model line from the server's status;
 * resolves with its suggestion (the default model's starting prompt and concept), if any.
 */
export async function loadSettings() {
  const { model, workers, queue, suggestion } = await getJson('/api/status');
  $('scheduler').replaceChildren(...model.schedulers.map((name) => new Option(name, name, false, name === model.defaultScheduler)));
  $('steps').value = String(model.defaultSteps);
  const workerCount = `${workers.total} worker${workers.total === 1 ? '' : 's'}`;
  $('model-info').textContent = `Model ${model.name}: ${model.width}×${model.height} images; ${workerCount}, queue of ${queue.capacity}.`;
  return suggestion;
}

function integerInput(id, label, min, max) {
  const input = $(id);
  const value = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new FormError(`${label} must be a whole number from ${min} to ${max}.`, input);
  }
  return value;
}

/** The generation request the settings describe, without concepts. Throws {@link FormError}. */
export function readSettings() {
  const prompt = $('prompt').value.trim();
  if (prompt === '') throw new FormError('Type a prompt first.', $('prompt'));
  const request = { prompt, previews: true };
  const negativePrompt = $('negative-prompt').value.trim();
  if (negativePrompt !== '') request.negativePrompt = negativePrompt;
  if ($('seed').value.trim() !== '') request.seed = integerInput('seed', 'The seed', 0, MAX_SEED);
  request.steps = integerInput('steps', 'Steps', 1, MAX_STEPS);
  if ($('scheduler').value !== '') request.scheduler = $('scheduler').value;
  const guidance = $('guidance');
  const scale = Number(guidance.value);
  if (guidance.value.trim() === '' || !Number.isFinite(scale) || scale < 0) {
    throw new FormError('The guidance scale must be a number ≥ 0 (7.5 is usual).', guidance);
  }
  request.guidanceScale = scale;
  return request;
}

export function randomSeed() {
  $('seed').value = String(crypto.getRandomValues(new Uint32Array(1))[0]);
}
