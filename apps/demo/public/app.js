// The demo page's entry point: plain browser modules, no build step. It fills the settings and
// the concept picker from the JSON routes, and wires the forms to generation (one WebSocket,
// generation.js) and concept upload (upload.js).

import { say } from './api.js';
import { loadConcepts, preselectConcept } from './concepts.js';
import { generate, jobRunning, stop, sweep, updateJobButtons } from './generation.js';
import { FormError, loadSettings, randomSeed } from './settings.js';
import { uploadConcept } from './upload.js';

const $ = (id) => document.getElementById(id);

/** A submit handler that starts a job, showing a refused form value in the status line and focusing its control. */
function startsJob(action) {
  return (event) => {
    event.preventDefault();
    if (jobRunning()) return;
    try {
      action();
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      say(error.message, 'error');
      error.field.focus();
    }
  };
}

async function refreshConcepts() {
  await loadConcepts();
  updateJobButtons(); // the sweep needs a usable concept
}

/** The server's starting prompt and guidance for its model (the default model's), with the concept it calls ticked; none: the page's own. */
function useSuggestion(suggestion) {
  if (suggestion === undefined) return;
  $('prompt').value = suggestion.prompt;
  if (suggestion.guidanceScale !== undefined) $('guidance').value = String(suggestion.guidanceScale);
  if (suggestion.concept !== undefined) preselectConcept(suggestion.concept);
}

function wire() {
  $('generate-form').addEventListener('submit', startsJob(generate));
  $('sweep-form').addEventListener('submit', startsJob(sweep));
  $('upload-form').addEventListener('submit', (event) => uploadConcept(event, refreshConcepts));
  $('stop').addEventListener('click', stop);
  $('random-seed').addEventListener('click', randomSeed);
  $('sweep-concept').addEventListener('change', updateJobButtons);
  // Ctrl/⌘+Enter in a prompt generates; Escape anywhere stops the running job.
  for (const id of ['prompt', 'negative-prompt']) {
    $(id).addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('generate-form').requestSubmit();
    });
  }
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') stop();
  });
}

async function start() {
  wire();
  updateJobButtons();
  const loaded = await Promise.allSettled([loadSettings(), refreshConcepts()]);
  const failures = loaded.filter((result) => result.status === 'rejected').map((result) => result.reason.message);
  if (failures.length > 0) say(`Could not load the page's data: ${failures.join('; ')}. Reload the page to try again.`, 'error');
  if (loaded[0].status === 'fulfilled') useSuggestion(loaded[0].value);
  document.body.dataset.ready = 'true';
}

start();
