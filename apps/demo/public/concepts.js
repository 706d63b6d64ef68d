// The concept picker: a checkbox and β/τ sliders per concept of /api/concepts, and the sweep's
// concept list. The choices survive a reload of the list (after an upload).

import { getJson } from './api.js';

const $ = (id) => document.getElementById(id);

/** Ticked state, β and τ per concept id. */
const choices = new Map();

export async function loadConcepts() {
  const listing = await getJson('/api/concepts');
  renderConcepts(listing.concepts, listing.invalid ?? []);
}

/** The β and τ chosen for a concept (its defaults until a slider moves), or undefined for an unknown id. */
export function conceptChoice(id) {
  return choices.get(id);
}

/** The ticked concepts as a request names them. */
export function chosenConcepts() {
  const chosen = [];
  for (const item of $('concept-list').children) {
    const choice = choices.get(item.dataset.id);
    if (choice?.use) chosen.push({ id: item.dataset.id, beta: choice.beta, tau: choice.tau });
  }
  return chosen;
}

/** Ticks a listed concept the model can use (the server's suggestion) and picks it for the sweep; does nothing for any other id. */
export function preselectConcept(id) {
  const item = [...$('concept-list').children].find((li) => li.dataset.id === id);
  const use = item?.querySelector('input[type=checkbox]');
  if (use === undefined || use === null || use.disabled) return;
  choices.get(id).use = true;
  use.checked = true;
  $('sweep-concept').value = id;
}

function renderConcepts(concepts, invalid) {
  $('concept-list').replaceChildren(...concepts.map((concept, i) => conceptItem(concept, `concept-${i}`)));
  $('concept-empty').hidden = concepts.length > 0;
  const unreadable = $('concept-invalid');
  unreadable.hidden = invalid.length === 0;
  unreadable.textContent = `Not listed, unreadable: ${invalid.map((file) => `${file.id} (${file.message})`).join('; ')}`;

  const sweep = $('sweep-concept');
  const previous = sweep.value;
  const usable = concepts.filter((c) => c.compatible);
  if (usable.length === 0) sweep.replaceChildren(new Option('no usable concept yet', ''));
  else sweep.replaceChildren(...usable.map((c) => new Option(`${c.token} (${c.supercategory})`, c.id, false, c.id === previous)));
  sweep.disabled = usable.length === 0;
}

function conceptItem(concept, key) {
  const choice = choices.get(concept.id) ?? { use: false, beta: concept.defaults.beta, tau: concept.defaults.tau };
  choices.set(concept.id, choice);

  const item = document.createElement('li');
  item.className = 'concept';
  item.dataset.id = concept.id;

  const use = document.createElement('input');
  use.type = 'checkbox';
  use.id = `${key}-use`;
  use.checked = choice.use && concept.compatible;
  use.disabled = !concept.compatible;
  use.addEventListener('change', () => (choice.use = use.checked));
  const name = document.createElement('label');
  name.htmlFor = use.id;
  name.className = 'concept-name';
  const token = document.createElement('strong');
  token.textContent = concept.token;
  const file = document.createElement('small');
  file.textContent = concept.id;
  name.append(token, ` (${concept.supercategory}) `, file);
  const head = document.createElement('div');
  head.className = 'concept-head';
  head.append(use, name);
  item.append(head);

  if (!concept.compatible) {
    const problems = document.createElement('p');
    problems.className = 'problem';
    problems.textContent = `Cannot be used with this model: ${concept.problems.join(' ')}`;
    item.append(problems);
    return item;
  }
  item.append(
    slider(`${key}-beta`, `β for ${concept.token}`, 'β', { min: 0, max: 1, step: 0.01 }, choice.beta, (v) => (choice.beta = v)),
    slider(`${key}-tau`, `τ for ${concept.token}`, 'τ', { min: 0.01, max: 0.5, step: 0.01 }, choice.tau, (v) => (choice.tau = v)),
  );
  return item;
}

/** A range input named `accessibleName`, with its value shown beside it; the range widens to hold the starting value. */
function slider(id, accessibleName, symbol, range, value, onInput) {
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = symbol;
  label.title = accessibleName;
  const input = document.createElement('input');
  input.type = 'range';
  input.id = id;
  input.min = String(Math.min(range.min, value));
  input.max = String(Math.max(range.max, value));
  input.step = String(range.step);
  input.value = String(value);
  input.setAttribute('aria-label', accessibleName);
  const output = document.createElement('output');
  output.htmlFor = id;
  output.textContent = value.toFixed(2);
  input.addEventListener('input', () => {
    onInput(Number(input.value));
    output.textContent = Number(input.value).toFixed(2);
  });
  const row = document.createElement('div');
  row.className = 'slider';
  row.append(label, input, output);
  return row;
}
