// The concept upload form: the chosen file's raw bytes go to POST /api/concepts?name=<file name>.

import { errorMessage } from './api.js';

const $ = (id) => document.getElementById(id);

function show(text, tone) {
  const message = $('upload-message');
  message.textContent = text;
  message.dataset.tone = tone;
}

/** Submit handler of the upload form; `onAdded` runs after the server stored the concept. */
export async function uploadConcept(event, onAdded) {
  event.preventDefault();
  const file = $('concept-file').files[0];
  if (file === undefined) {
    show('Choose a .safetensors concept file first.', 'error');
    $('concept-file').focus();
    return;
  }
  const query = new URLSearchParams({ name: file.name });
  if ($('concept-replace').checked) query.set('replace', '1');
  $('upload').disabled = true;
  show(`Uploading ${file.name}…`, 'info');
  try {
    const response = await fetch(`/api/concepts?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
    if (!response.ok) {
      show(`Upload failed: ${await errorMessage(response)}`, 'error');
      return;
    }
    const { concept } = await response.json();
    $('upload-form').reset();
    // Said once the list shows the new concept.
    await onAdded().then(
      () => show(`Added ${concept.token} (${concept.id}).`, 'ok'),
      (error) => show(`Added ${concept.token} (${concept.id}), but the list could not be reloaded: ${error.message}`, 'error'),
    );
  } catch (error) {
    show(`Upload failed: ${error.message}`, 'error');
  } finally {
    $('upload').disabled = false;
  }
}
