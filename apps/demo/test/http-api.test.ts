import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, ConceptEntry, ConceptListing, StatusBody } from '../src/index.js';
import { tinyConcept } from './support/concepts.js';
import { api, startTestServer } from './support/demo-server.js';

// The page and the JSON API over real HTTP (fetch), with the tiny test model (`--model`).

describe('demo server HTTP API', () => {
  let url: string;
  let conceptsDir: string;
  let stop: () => Promise<void>;
  let concept: Awaited<ReturnType<typeof tinyConcept>>;
  const folderContents = (): string[] => fs.readdirSync(conceptsDir).sort();
  const upload = (query: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    api<{ concept: ConceptEntry } & Partial<ApiErrorBody>>(`${url}/api/concepts${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...headers },
      body,
    });

  beforeAll(async () => {
    concept = await tinyConcept();
    const started = await startTestServer();
    ({ conceptsDir, stop } = started);
    url = started.server.url;
  });
  afterAll(async () => {
    await stop?.();
  });

  it('serves the page and its script and styles', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    for (const [file, type] of [
      ['app.js', /javascript/],
      ['style.css', /^text\/css/],
    ] as const) {
      const response = await fetch(`${url}/static/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toMatch(type);
    }
  });

  it('answers unknown routes and files outside public/ with a JSON 404', async () => {
    for (const route of ['/api/nothing', '/static/../package.json', '/static/%2e%2e/package.json']) {
      const { status, body } = await api<ApiErrorBody>(`${url}${route}`);
      expect(status, route).toBe(404);
      expect(body.error.code).toBe('not-found');
    }
  });

  it('reports the model, the workers and the queue', async () => {
    const { status, body } = await api<StatusBody>(`${url}/api/status`);
    expect(status).toBe(200);
    expect(body.model).toMatchObject({ width: 64, height: 64, defaultSteps: 20, defaultScheduler: 'pndm' });
    expect(body.model.name).toMatch(/^tiny/);
    expect(fs.existsSync(path.join(body.model.dir, 'unet', 'model.onnx'))).toBe(true);
    expect(body.model.schedulers).toEqual(expect.arrayContaining(['ddim', 'pndm', 'euler', 'dpm++2m']));
    expect(body.workers).toEqual({ total: 1, busy: 0 });
    expect(body.queue).toEqual({ waiting: 0, capacity: 4 });
    expect(body.suggestion).toBeUndefined(); // only the default model comes with a starting prompt
  });

  it('stores an uploaded concept atomically and lists it', async () => {
    expect((await api<ConceptListing>(`${url}/api/concepts`)).body).toEqual({ concepts: [], invalid: [] });

    const { status, body } = await upload('?name=tabby.safetensors', concept.bytes);
    expect(status).toBe(201);
    const expected = {
      id: 'tabby.safetensors',
      token: '<tabby>',
      supercategory: 'cat',
      defaults: { beta: concept.concept.defaults.beta, tau: concept.concept.defaults.tau },
      training: concept.concept.training,
      compatible: true,
      problems: [],
    };
    expect(body.concept).toEqual(expected);
    expect(new Uint8Array(fs.readFileSync(path.join(conceptsDir, 'tabby.safetensors')))).toEqual(concept.bytes);
    expect(folderContents()).toEqual(['tabby.safetensors']); // no temporary file left
    expect((await api<ConceptListing>(`${url}/api/concepts`)).body).toEqual({ concepts: [expected], invalid: [] });
  });

  it('keeps an existing file unless the upload says replace=1', async () => {
    const { status, body } = await upload('?name=tabby.safetensors', concept.bytes);
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'exists', message: expect.stringContaining('?replace=1') });
    expect((await upload('?name=tabby.safetensors&replace=1', concept.bytes)).status).toBe(201);
    expect(folderContents()).toEqual(['tabby.safetensors']);
  });

  it.each([
    { what: 'garbage bytes', query: '?name=garbage.safetensors', bytes: () => new TextEncoder().encode('not a concept'), status: 400, code: 'invalid-concept', says: /^garbage\.safetensors: header size: .*Upload a concept file/ },
    { what: 'a path as the name', query: `?name=${encodeURIComponent('../evil.safetensors')}`, bytes: () => concept.bytes, status: 400, code: 'invalid-name', says: /"\.\.\/evil\.safetensors" cannot be a concept file name/ },
    { what: 'an absolute path as the name', query: `?name=${encodeURIComponent('/tmp/evil.safetensors')}`, bytes: () => concept.bytes, status: 400, code: 'invalid-name', says: /cannot be a concept file name/ },
    { what: 'another extension', query: '?name=evil.txt', bytes: () => concept.bytes, status: 400, code: 'invalid-name', says: /ending in "\.safetensors"/ },
    { what: 'a hidden name', query: '?name=.evil.safetensors', bytes: () => concept.bytes, status: 400, code: 'invalid-name', says: /not starting with "\."/ },
    { what: 'no name', query: '', bytes: () => concept.bytes, status: 400, code: 'invalid-name', says: /\?name=/ },
    { what: 'a body over the limit', query: '?name=big.safetensors', bytes: () => new Uint8Array(1024 * 1024 + 1), status: 413, code: 'too-large', says: /1048576 bytes/ },
    { what: 'a concept of another model', query: '?name=other.safetensors', bytes: () => concept.otherModelBytes, status: 400, code: 'incompatible-concept', says: /other\.safetensors.*another-model/s },
  ])('refuses $what with $status $code and writes nothing', async ({ query, bytes, status, code, says }) => {
    const before = folderContents();
    const answer = await upload(query, bytes());
    expect(answer.status).toBe(status);
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message).toMatch(says);
    expect(folderContents()).toEqual(before);
    expect(fs.existsSync(path.join(conceptsDir, '..', 'evil.safetensors'))).toBe(false);
  });

  it('takes uploads of any content type, or none', async () => {
    const asText = await upload('?name=as-text.safetensors', concept.bytes, { 'content-type': 'text/plain' });
    expect(asText.status).toBe(201);
    const untyped = await fetch(`${url}/api/concepts?name=untyped.safetensors`, { method: 'POST', body: new Blob([concept.bytes]) });
    expect(untyped.status).toBe(201);
    expect(folderContents()).toEqual(['as-text.safetensors', 'tabby.safetensors', 'untyped.safetensors']);
  });

  it("refuses API requests from another site's page", async () => {
    const before = folderContents();
    const answer = await upload('?name=forged.safetensors', concept.bytes, { origin: 'http://elsewhere.example' });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('cross-origin');
    expect(folderContents()).toEqual(before);
    // The same check guards the generation socket: the upgrade is answered 403.
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/generate`, { origin: 'http://elsewhere.example' });
    const refused = await new Promise<IncomingMessage>((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => resolve(response));
      socket.on('open', () => reject(new Error('the socket opened')));
    });
    expect(refused.statusCode).toBe(403);
    // The server ends that connection itself (a client keeping it must not keep the server from closing).
    await new Promise((resolve) => (refused.socket.destroyed ? resolve(undefined) : refused.socket.once('close', resolve)));
    // Its own page's origin is fine.
    expect((await api(`${url}/api/status`, { headers: { origin: url } })).status).toBe(200);
  });

  it('lists the files of the folder only: no subfolders, no links leading out, unreadable files apart', async () => {
    const outside = path.join(conceptsDir, '..', 'outside.safetensors');
    fs.writeFileSync(outside, concept.bytes);
    fs.symlinkSync(outside, path.join(conceptsDir, 'link-out.safetensors'));
    fs.symlinkSync(path.join(conceptsDir, 'tabby.safetensors'), path.join(conceptsDir, 'link-in.safetensors'));
    fs.mkdirSync(path.join(conceptsDir, 'sub'));
    fs.writeFileSync(path.join(conceptsDir, 'sub', 'nested.safetensors'), concept.bytes);
    fs.writeFileSync(path.join(conceptsDir, 'broken.safetensors'), 'xx');
    fs.writeFileSync(path.join(conceptsDir, 'notes.txt'), 'not a concept');
    try {
      const { body } = await api<ConceptListing>(`${url}/api/concepts`);
      expect(body.concepts.map((c) => c.id)).toEqual(['as-text.safetensors', 'link-in.safetensors', 'tabby.safetensors', 'untyped.safetensors']);
      expect(body.invalid).toEqual([{ id: 'broken.safetensors', message: expect.stringMatching(/^broken\.safetensors: .*truncated/) }]);
    } finally {
      for (const name of ['link-out.safetensors', 'link-in.safetensors', 'broken.safetensors', 'notes.txt']) fs.rmSync(path.join(conceptsDir, name));
      fs.rmSync(path.join(conceptsDir, 'sub'), { recursive: true });
      fs.rmSync(outside);
    }
  });

  it('lists a concept of another model as not compatible, with the reason', async () => {
    fs.writeFileSync(path.join(conceptsDir, 'foreign.safetensors'), concept.otherModelBytes);
    try {
      const { body } = await api<ConceptListing>(`${url}/api/concepts`);
      const foreign = body.concepts.find((c) => c.id === 'foreign.safetensors');
      expect(foreign).toMatchObject({ compatible: false, problems: [expect.stringMatching(/another-model/)] });
    } finally {
      fs.rmSync(path.join(conceptsDir, 'foreign.safetensors'));
    }
  });
});
