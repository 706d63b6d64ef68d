import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MODEL_GUIDANCE, ensureDefaultModel } from '@perfusion/toymodel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PROMPT, DemoStartError, startDemoServer, type ConceptListing, type StatusBody } from '../src/index.js';
import { conceptFromWords, tinyConcept } from './support/concepts.js';
import { api, startTestServer } from './support/demo-server.js';

// The server on the embedded default (toy) model: its example concept copied into the concepts
// folder at start, and the starting prompt `GET /api/status` suggests. The example is looked for
// in a folder of the test's own (`defaultModelConceptsDir`), holding a concept made from words on
// the default model under the example's file name.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfusion-demo-default-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const source = path.join(root, 'bundled');
const EXAMPLE_PROMPT = 'a photo of a <striped-star> on an orange background';
let id: string;
let example: Uint8Array;

beforeAll(async () => {
  const model = await ensureDefaultModel();
  id = path.basename(model.exampleConcept.file);
  example = (await conceptFromWords(model.dir, { token: model.exampleConcept.token, supercategory: 'star', words: 'yellow star' })).bytes;
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, id), example);
});

describe('the demo server on the default model', () => {
  it('copies the example concept into a concepts folder without it, and suggests a prompt with it', async () => {
    const { server, conceptsDir, stop } = await startTestServer({ defaultModelConceptsDir: source }, 'default');
    try {
      expect(server.copiedExampleConcept).toBe(id);
      expect(fs.readdirSync(conceptsDir)).toEqual([id]); // no temporary file left
      expect(new Uint8Array(fs.readFileSync(path.join(conceptsDir, id)))).toEqual(example);

      const { body } = await api<StatusBody>(`${server.url}/api/status`);
      expect(body.model.name).toBe('toy (embedded default model)');
      expect(body.suggestion).toEqual({ prompt: EXAMPLE_PROMPT, concept: id, guidanceScale: DEFAULT_MODEL_GUIDANCE });
      const listing = await api<ConceptListing>(`${server.url}/api/concepts`);
      expect(listing.body.concepts.map((c) => [c.id, c.token, c.supercategory, c.compatible])).toEqual([[id, '<striped-star>', 'star', true]]);

      // Asked again after the file is gone: the model's own kind of prompt, no concept.
      fs.rmSync(path.join(conceptsDir, id));
      expect((await api<StatusBody>(`${server.url}/api/status`)).body.suggestion).toEqual({ prompt: DEFAULT_MODEL_PROMPT, guidanceScale: DEFAULT_MODEL_GUIDANCE });
    } finally {
      await stop();
    }
  });

  it('keeps a file of that name already in the folder', async () => {
    const conceptsDir = path.join(root, 'own-concepts');
    fs.mkdirSync(conceptsDir);
    const own = (await conceptFromWords((await ensureDefaultModel()).dir, { token: '<striped-star>', supercategory: 'star', words: 'black star' })).bytes;
    fs.writeFileSync(path.join(conceptsDir, id), own);
    const server = await startDemoServer({ port: 0, conceptsDir, defaultModelConceptsDir: source });
    try {
      expect(server.copiedExampleConcept).toBeUndefined();
      expect(new Uint8Array(fs.readFileSync(path.join(conceptsDir, id)))).toEqual(own);
      expect((await api<StatusBody>(`${server.url}/api/status`)).body.suggestion).toEqual({ prompt: EXAMPLE_PROMPT, concept: id, guidanceScale: DEFAULT_MODEL_GUIDANCE });
    } finally {
      await server.close();
    }
  });

  it('moves an earlier copy this model cannot use aside (never deleting it), then copies the example', async () => {
    const conceptsDir = path.join(root, 'stale-concepts');
    fs.mkdirSync(conceptsDir);
    const stale = (await tinyConcept()).bytes; // a concept for another model, as a copy made before the weights were retrained is
    fs.writeFileSync(path.join(conceptsDir, id), stale);
    fs.writeFileSync(path.join(conceptsDir, id.replace('.safetensors', '.stale.safetensors')), stale); // that name is taken: the next one is used
    const server = await startDemoServer({ port: 0, conceptsDir, defaultModelConceptsDir: source });
    try {
      const setAside = id.replace('.safetensors', '.stale-2.safetensors');
      expect(server.copiedExampleConcept).toBe(id);
      expect(server.staleExampleConcept).toBe(setAside);
      expect(new Uint8Array(fs.readFileSync(path.join(conceptsDir, id)))).toEqual(example);
      expect(new Uint8Array(fs.readFileSync(path.join(conceptsDir, setAside)))).toEqual(stale);
      expect(fs.readdirSync(conceptsDir)).toHaveLength(3); // no temporary file left
      expect((await api<StatusBody>(`${server.url}/api/status`)).body.suggestion).toEqual({ prompt: EXAMPLE_PROMPT, concept: id, guidanceScale: DEFAULT_MODEL_GUIDANCE });
    } finally {
      await server.close();
    }
  });

  it('copies nothing when the model comes without its example, and suggests its own kind of prompt', async () => {
    const { server, conceptsDir, stop } = await startTestServer({ defaultModelConceptsDir: path.join(root, 'no-such-folder') }, 'default');
    try {
      expect(server.copiedExampleConcept).toBeUndefined();
      expect(fs.readdirSync(conceptsDir)).toEqual([]);
      expect((await api<StatusBody>(`${server.url}/api/status`)).body.suggestion).toEqual({ prompt: DEFAULT_MODEL_PROMPT, guidanceScale: DEFAULT_MODEL_GUIDANCE });
    } finally {
      await stop();
    }
  });

  it('refuses to start when the example is not a concept of the default model, and writes nothing', async () => {
    const wrong = path.join(root, 'wrong');
    fs.mkdirSync(wrong);
    fs.writeFileSync(path.join(wrong, id), (await tinyConcept()).bytes);
    const conceptsDir = path.join(root, 'wrong-concepts');
    const start = startDemoServer({ port: 0, conceptsDir, defaultModelConceptsDir: wrong });
    await expect(start).rejects.toThrow(DemoStartError);
    await expect(start).rejects.toThrow(new RegExp(`cannot copy the default model's example concept .*wrong/${id.replace('.', '\\.')} into .*wrong-concepts: .*fingerprint`));
    expect(fs.readdirSync(conceptsDir)).toEqual([]);

    // Nor does it move an earlier, unusable copy aside for it.
    const staleDir = path.join(root, 'wrong-stale-concepts');
    fs.mkdirSync(staleDir);
    fs.writeFileSync(path.join(staleDir, id), 'not a concept');
    await expect(startDemoServer({ port: 0, conceptsDir: staleDir, defaultModelConceptsDir: wrong })).rejects.toThrow(DemoStartError);
    expect(fs.readdirSync(staleDir)).toEqual([id]);
  });
});
