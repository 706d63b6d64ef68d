import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusBody } from '../src/index.js';
import { tinyConcept } from './support/concepts.js';
import { api, decodeDataUrl, startTestServer } from './support/demo-server.js';
import { UnetProbe } from './support/unet-probe.js';
import { TestClient } from './support/ws-client.js';

// Generation over the WebSocket /api/generate with the tiny test model (64×64 images, 8×8
// latents). The probe counts the workers' UNet calls and can hold one, so "mid-step" is a fact the
// test arranges, never a matter of timing.

describe('generation over /api/generate', () => {
  const probe = new UnetProbe();
  let url: string;
  let conceptsDir: string;
  let stop: () => Promise<void>;
  const clients: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const { bytes } = await tinyConcept();
    const started = await startTestServer({ pipeline: probe.options });
    ({ conceptsDir, stop } = started);
    url = started.server.url;
    fs.writeFileSync(path.join(conceptsDir, 'tabby.safetensors'), bytes);
  });
  afterEach(async () => {
    probe.release();
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await stop?.();
  });

  it('streams queued, start, every step with a preview, and done with the PNG', async () => {
    const client = await connect();
    client.send({ type: 'generate', request: { prompt: 'a red cat', steps: 4, seed: 7, scheduler: 'ddim' } });
    const done = await client.until('done');

    expect(client.received.map((m) => m.type)).toEqual(['queued', 'start', 'step', 'step', 'step', 'step', 'done']);
    expect(client.received[0]).toEqual({ type: 'queued', position: 1 });
    expect(client.received[1]).toEqual({ type: 'start', totalSteps: 4, seed: 7 });
    client.all('step').forEach((step, index) => {
      expect(step).toMatchObject({ index, total: 4 });
      const preview = decodeDataUrl(step.preview!);
      expect([preview.width, preview.height]).toEqual([8, 8]); // one pixel per latent cell
    });
    expect(done).toMatchObject({ width: 64, height: 64, seed: 7 });
    expect(done.ms).toBeGreaterThan(0);
    const image = decodeDataUrl(done.image);
    expect([image.width, image.height, image.data.length]).toEqual([64, 64, 64 * 64 * 3]);
  });

  it('leaves the previews out when asked, and gives the same image for the same seed', async () => {
    const client = await connect();
    client.send({ type: 'generate', request: { prompt: 'a red cat', steps: 4, seed: 7, scheduler: 'ddim', previews: false } });
    const done = await client.until('done');
    expect(client.all('step').map((step) => step.preview)).toEqual([undefined, undefined, undefined, undefined]);

    client.send({ type: 'generate', request: { prompt: 'a red cat', steps: 4, seed: 7, scheduler: 'ddim', previews: false } });
    const again = await client.until('done');
    expect(decodeDataUrl(again.image).data).toEqual(decodeDataUrl(done.image).data);
  });

  it('answers a status request while the worker is inside a UNet call', async () => {
    const client = await connect();
    probe.holdAt(probe.calls + 2);
    const before = probe.calls;
    client.send({ type: 'generate', request: { prompt: 'a lighthouse', steps: 3, scheduler: 'ddim' } });
    await client.until('step');
    await probe.callsReached(before + 2); // the second UNet call has started and is held

    const { status, body } = await api<StatusBody>(`${url}/api/status`);
    expect(status).toBe(200);
    expect(body.workers).toEqual({ total: 1, busy: 1 });
    expect(client.all('step')).toHaveLength(1); // answered mid-step: step 1 is not done yet
    expect(client.all('done')).toHaveLength(0);

    probe.release();
    await client.until('done');
    expect(client.all('step')).toHaveLength(3);
    expect((await api<StatusBody>(`${url}/api/status`)).body.workers).toEqual({ total: 1, busy: 0 });
  });

  it('stops the generation on "stop": no further UNet call, and the connection takes a new one', async () => {
    const client = await connect();
    const before = probe.calls;
    probe.holdAt(before + 2);
    client.send({ type: 'generate', request: { prompt: 'a lighthouse', steps: 50, scheduler: 'ddim' } });
    await client.until('step');
    await probe.callsReached(before + 2);
    client.send({ type: 'stop' });
    await client.until('stopped');
    probe.release();

    client.send({ type: 'generate', request: { prompt: 'a lighthouse', steps: 3, scheduler: 'ddim' } });
    await client.until('done');
    // The held call finished; the stopped generation made no other: 2 calls, then 3 for the new one.
    expect(probe.calls - before).toBe(2 + 3);
    expect(client.all('done')).toHaveLength(1);
    expect(client.all('step').filter((step) => step.total === 50)).toHaveLength(1);
  });

  it('refuses a second generation on a connection whose job has not ended', async () => {
    const client = await connect();
    probe.holdAt(probe.calls + 1);
    client.send({ type: 'generate', request: { prompt: 'one', steps: 2, scheduler: 'ddim' } });
    await client.until('start');
    client.send({ type: 'generate', request: { prompt: 'two', steps: 2, scheduler: 'ddim' } });
    const error = await client.until('error');
    expect(error).toEqual({ type: 'error', code: 'already-running', message: expect.stringContaining('"stop"') });
    probe.release();
    await client.until('done');
    expect(client.all('start')).toHaveLength(1);
  });

  it.each([
    { what: 'text that is not JSON', message: 'hello', says: /not JSON; send \{"type":"generate"/ },
    { what: 'an unknown message type', message: { type: 'dance' }, says: /"type" must be "generate", "sweep" or "stop"/ },
    { what: 'a request without a prompt', message: { type: 'generate', request: {} }, says: /^request lacks the field "prompt"/ },
    { what: 'a misspelt field', message: { type: 'generate', request: { prompt: 'x', guidance: 3 } }, says: /unknown field "guidance"; the fields are .*guidanceScale/ },
    { what: 'too few steps', message: { type: 'generate', request: { prompt: 'x', steps: 0 } }, says: /^request\.steps must be >= 1/ },
    { what: 'a width that is no multiple of 8', message: { type: 'generate', request: { prompt: 'x', width: 100 } }, says: /^request\.width must be multiple of 8/ },
    { what: 'an unknown scheduler', message: { type: 'generate', request: { prompt: 'x', scheduler: 'turbo' } }, says: /^request\.scheduler must be one of "ddim", "pndm"/ },
    { what: 'τ = 0', message: { type: 'generate', request: { prompt: 'x', concepts: [{ id: 'tabby.safetensors', tau: 0 }] } }, says: /^request\.concepts\[0\]\.tau must be > 0/ },
    { what: 'a sweep without concepts', message: { type: 'sweep', request: { prompt: 'x' }, betas: [0.5, 0.7] }, says: /^request lacks the field "concepts"/ },
    { what: 'a sweep of one β', message: { type: 'sweep', request: { prompt: 'x', concepts: [{ id: 'tabby.safetensors' }] }, betas: [0.5] }, says: /^betas needs at least 2 items/ },
  ])('answers $what with an invalid-message error, and keeps the connection', async ({ message, says }) => {
    const client = await connect();
    const before = probe.calls;
    client.send(message);
    const error = await client.until('error');
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(says);
    expect(probe.calls).toBe(before);
    client.send({ type: 'generate', request: { prompt: 'x', steps: 1, scheduler: 'ddim' } });
    await client.until('done');
  });

  it.each([
    { id: '../tabby.safetensors', code: 'invalid-name' },
    { id: 'sub/tabby.safetensors', code: 'invalid-name' },
    { id: '..\\tabby.safetensors', code: 'invalid-name' },
    { id: '/etc/passwd', code: 'invalid-name' },
    { id: 'missing.safetensors', code: 'unknown-concept' },
    { id: 'link-out.safetensors', code: 'unknown-concept' },
  ])('refuses the concept id $id with $code before queueing', async ({ id, code }) => {
    // A valid concept outside the folder, reachable only through a link in it.
    const outside = path.join(conceptsDir, '..', 'outside.safetensors');
    fs.copyFileSync(path.join(conceptsDir, 'tabby.safetensors'), outside);
    fs.symlinkSync(outside, path.join(conceptsDir, 'link-out.safetensors'));
    try {
      const client = await connect();
      client.send({ type: 'generate', request: { prompt: 'a <tabby>', steps: 1, concepts: [{ id }] } });
      const error = await client.until('error');
      expect(error.code).toBe(code);
      expect(error.message).toContain(JSON.stringify(id).slice(1, -1));
      expect(client.all('queued')).toHaveLength(0);
    } finally {
      fs.rmSync(path.join(conceptsDir, 'link-out.safetensors'));
      fs.rmSync(outside);
    }
  });

  it('generates with a concept, warning when the prompt lacks its token', async () => {
    const client = await connect();
    client.send({ type: 'generate', request: { prompt: 'a cat on a mat', steps: 2, seed: 3, scheduler: 'ddim', concepts: [{ id: 'tabby.safetensors', beta: 0.5 }] } });
    await client.until('done');
    expect(client.all('warning')).toEqual([{ type: 'warning', code: 'concept-token-missing', message: expect.stringContaining('<tabby>') }]);
  });

  it('renders a β sweep: one image per β with the same seed, then finished', async () => {
    const client = await connect();
    const betas = [-2, 0.7, 5];
    client.send({ type: 'sweep', request: { prompt: 'a photo of a <tabby>', steps: 2, scheduler: 'ddim', concepts: [{ id: 'tabby.safetensors' }] }, betas });
    await client.until('finished');

    const starts = client.all('start');
    const dones = client.all('done');
    expect(starts.map((s) => s.variant)).toEqual([0, 1, 2]);
    expect(dones.map((d) => d.variant)).toEqual([0, 1, 2]);
    expect(new Set([...starts, ...dones].map((m) => m.seed)).size).toBe(1); // one seed, chosen by the server
    expect(client.all('step').map((s) => s.variant)).toEqual([0, 0, 1, 1, 2, 2]);
    // β changes the gates, so the images differ (same prompt, same noise).
    const images = dones.map((d) => Buffer.from(decodeDataUrl(d.image).data).toString('hex'));
    expect(new Set(images).size).toBe(3);
    expect(client.received.at(-1)).toEqual({ type: 'finished' });
  });
});
