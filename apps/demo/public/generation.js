// Generations and β sweeps over the WebSocket /api/generate: one job at a time, its server
// events shown in the main view (progress bar, step preview, final image) or in sweep tiles.

import { say } from './api.js';
import { chosenConcepts, conceptChoice } from './concepts.js';
import { FormError, readSettings } from './settings.js';

const $ = (id) => document.getElementById(id);
const SWEEP_MIN = 2;
const SWEEP_MAX = 6;

/** The running job, or null: `{ kind: 'generate' }` or `{ kind: 'sweep', betas, tiles }`. */
let job = null;
/** The open (or opening) socket, kept from one job to the next. */
let socketPromise = null;

function openSocket() {
  if (socketPromise !== null) return socketPromise;
  const url = new URL('/api/generate', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  socketPromise = new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => resolve(socket));
    socket.addEventListener('message', (event) => onServerEvent(JSON.parse(event.data)));
    socket.addEventListener('close', () => {
      socketPromise = null;
      reject(new Error('could not connect'));
      if (job !== null) endJob('The connection to the server closed, so the generation stopped. Press Generate to try again.', 'error');
    });
  });
  return socketPromise;
}

async function send(message) {
  const socket = await openSocket();
  socket.send(JSON.stringify(message));
}

function beginJob(next, message) {
  job = next;
  say('Sending the request…');
  updateJobButtons();
  send(message).catch((error) => endJob(`Cannot reach the server (${error.message}). Is it still running?`, 'error'));
}

function endJob(text, tone) {
  job = null;
  say(text, tone);
  updateJobButtons();
}

/** Generate and sweep while idle, Stop while a job runs; `body[data-job]` says which, for tests and styles. */
export function updateJobButtons() {
  const running = job !== null;
  $('generate').disabled = running;
  $('sweep-start').disabled = running || $('sweep-concept').value === '';
  $('stop').disabled = !running;
  document.body.dataset.job = running ? job.kind : 'idle';
}

export function stop() {
  if (job === null) return;
  say('Stopping…');
  $('stop').disabled = true;
  send({ type: 'stop' }).catch(() => endJob('Stopped.', 'info'));
}

export const jobRunning = () => job !== null;

// ---------------------------------------------------------------------------------------------
// Server events

const mainView = () => ({ progress: $('progress'), text: $('progress-text'), preview: $('preview'), result: $('result') });

/** Where an event is shown: a sweep tile (events of a sweep carry `variant`), else the main view. */
function viewOf(event) {
  if (job?.kind === 'sweep' && event.variant !== undefined) return job.tiles[event.variant];
  return mainView();
}

function showProgress(view, done, total) {
  view.progress.max = total;
  view.progress.value = done;
  view.text.textContent = `step ${done}/${total}`;
}

function showImage(img, src) {
  img.src = src;
  img.hidden = false;
}

function onServerEvent(event) {
  if (job === null) return; // a late message of a job this page already ended
  const label = job.kind === 'sweep' && event.variant !== undefined ? `β ${job.betas[event.variant]}: ` : '';
  switch (event.type) {
    case 'queued':
      say(`Waiting in the queue: position ${event.position}.`);
      break;
    case 'busy':
      endJob(event.message, 'error');
      break;
    case 'preparing':
      say(`${label}preparing (${event.stage}): ${event.done}/${event.total}…`);
      break;
    case 'start':
      showProgress(viewOf(event), 0, event.totalSteps);
      say(`${label}generating with seed ${event.seed}, ${event.totalSteps} steps…`);
      break;
    case 'warning':
      say(`${label}note: ${event.message}`, 'warning');
      break;
    case 'step': {
      const view = viewOf(event);
      showProgress(view, event.index + 1, event.total);
      if (event.preview !== undefined) showImage(view.preview, event.preview);
      break;
    }
    case 'done':
      onDone(event, label);
      break;
    case 'finished':
      endJob(`Sweep done: ${job.betas.length} images.`, 'ok');
      break;
    case 'stopped':
      endJob('Stopped.', 'info');
      break;
    case 'error':
      endJob(`Error: ${event.message}`, 'error');
      break;
    default:
      break; // a message kind this page does not know: nothing to show
  }
}

function onDone(event, label) {
  showImage(viewOf(event).result, event.image);
  const summary = `${label}done: ${event.width}×${event.height}, seed ${event.seed}, in ${(event.ms / 1000).toFixed(1)} s.`;
  if (job.kind === 'sweep') {
    say(summary, 'ok'); // the next β follows, until `finished`
    return;
  }
  const download = $('download');
  download.href = event.image;
  download.download = `perfusion-${event.seed}.png`;
  download.hidden = false;
  endJob(summary, 'ok');
}

// ---------------------------------------------------------------------------------------------
// Starting jobs

/** Submit handler of the settings form. Throws {@link FormError}. */
export function generate() {
  const request = readSettings();
  const concepts = chosenConcepts();
  if (concepts.length > 0) request.concepts = concepts;
  $('preview').hidden = true;
  showProgress(mainView(), 0, request.steps);
  beginJob({ kind: 'generate' }, { type: 'generate', request });
}

function parseBetas(text) {
  const betas = text
    .split(/[\s,;]+/)
    .filter((part) => part !== '')
    .map(Number);
  if (betas.length < SWEEP_MIN || betas.length > SWEEP_MAX || betas.some((beta) => !Number.isFinite(beta))) {
    throw new FormError(`Give ${SWEEP_MIN} to ${SWEEP_MAX} β values as numbers separated by spaces, e.g. 0.5 0.7 0.9.`, $('sweep-betas'));
  }
  return betas;
}

/** One tile of the sweep: its step previews, then its final image, in the same place. */
function sweepTile(beta) {
  const image = document.createElement('img');
  image.className = 'pixelated';
  image.alt = `Image at β ${beta}`;
  image.width = 112;
  image.height = 112;
  image.hidden = true;
  const label = document.createElement('span');
  label.className = 'sweep-beta';
  label.textContent = `β ${beta}`;
  const progress = document.createElement('progress');
  progress.max = 1;
  progress.value = 0;
  progress.setAttribute('aria-label', `Progress at β ${beta}`);
  const text = document.createElement('span');
  text.className = 'progress-text';
  const caption = document.createElement('figcaption');
  caption.append(label, progress, text);
  const figure = document.createElement('figure');
  figure.append(image, caption);
  const item = document.createElement('li');
  item.append(figure);
  return { item, view: { progress, text, preview: image, result: image } };
}

/** Submit handler of the sweep form: the settings' prompt and seed once per β, with one concept. Throws {@link FormError}. */
export function sweep() {
  const id = $('sweep-concept').value;
  if (id === '') throw new FormError('Upload a concept that fits this model first.', $('concept-file'));
  const betas = parseBetas($('sweep-betas').value);
  const request = readSettings();
  const choice = conceptChoice(id);
  request.concepts = [{ id, ...(choice !== undefined && { tau: choice.tau }) }];
  const tiles = betas.map(sweepTile);
  $('sweep-results').replaceChildren(...tiles.map((tile) => tile.item));
  beginJob({ kind: 'sweep', betas, tiles: tiles.map((tile) => tile.view) }, { type: 'sweep', request, betas });
}
