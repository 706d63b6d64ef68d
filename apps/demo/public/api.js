// The JSON routes and the page's status line.

const statusLine = () => document.getElementById('status');

/** Shows a message in the page's status line (an aria-live region); `tone` colours it. */
export function say(text, tone = 'info') {
  const status = statusLine();
  status.textContent = text;
  status.dataset.tone = tone;
}

/** The message of a JSON error body ({ error: { message } } from the demo, { message } from Fastify itself). */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    const message = body?.error?.message ?? body?.message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `the server answered ${response.status} ${response.statusText}.`;
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: ${await errorMessage(response)}`);
  return response.json();
}
