import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeConcept, encodeConcept, readSafetensors } from '@perfusion/concept-format';
import { randomConcept } from './fixtures.js';

// docs/concept-format.md is checked against the code: its example header is what the writer emits
// for that concept, and its Python snippet runs (on Debian's /usr/bin/python3 with numpy, using the
// stand-in test/golden/shim/safetensors, since the real package cannot be installed here).

const doc = readFileSync(new URL('../../../docs/concept-format.md', import.meta.url), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'concept-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const PYTHON = '/usr/bin/python3';
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function block(after: string, lang: string): string {
  const at = doc.indexOf(after);
  const start = doc.indexOf('```' + lang + '\n', at);
  const end = doc.indexOf('```', start + 3 + lang.length);
  if (at < 0 || start < 0 || end < 0) throw new Error(`no ${lang} block after ${after}`);
  return doc.slice(start + 4 + lang.length, end);
}

describe('docs/concept-format.md', () => {
  it("shows the writer's actual header for its example concept", () => {
    const zeros = (n: number) => new Float32Array(n);
    const bytes = encodeConcept(
      {
        token: '<my-cat>',
        supercategory: 'cat',
        inputEncoding: zeros(768),
        superEncoding: zeros(768),
        wordEmbedding: zeros(768),
        valueTargets: [
          { layer: '/down_blocks.0/attentions.0/transformer_blocks.0/attn2', width: 320, target: zeros(320) },
          { layer: '/mid_block/attentions.0/transformer_blocks.0/attn2', width: 1280, target: zeros(1280) },
        ],
        baseModel: { fingerprint: 'sha256:9c2f…', name: 'stable-diffusion-v1-5' },
        training: { steps: 400, seed: 7, loss: 0.0421 },
        createdBy: 'perfusion-ts 0.1.0 trainer',
      },
      { dtype: 'float16' },
    );
    const n = readSafetensors(bytes).headerByteLength;
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(doc).toContain(`followed by ${text.length - text.trimEnd().length} spaces of padding to N = ${n})`);
    const shown = JSON.parse(block('## 8. Example header', 'json'));
    expect(JSON.stringify(shown)).toBe(text.trimEnd());
  });

  it('states the measured SD-1.5 sizes', () => {
    const fmt = (n: number) => n.toLocaleString('en-US');
    for (const dtype of ['float32', 'float16'] as const) {
      const bytes = encodeConcept(randomConcept(5), { dtype });
      const file = readSafetensors(bytes);
      expect(doc).toContain(`| ${dtype} | ${fmt(file.dataByteLength)} B | ${fmt(8 + file.headerByteLength)} B | **${fmt(bytes.length)} B** |`);
    }
  });

  it.skipIf(!hasNumpy)('has a Python snippet that reads a concept file', () => {
    const concept = randomConcept(31, [
      { layer: '/a/attn2', width: 3 },
      { layer: '/b/attn2', width: 5 },
    ], 6, 4);
    const path = join(scratch, 'my-cat.safetensors');
    writeFileSync(path, encodeConcept(concept, { dtype: 'float16' }));
    const snippet = block('<!-- python:start -->', 'python');
    const script = `${snippet}\nprint(json.dumps({k: [float(x) for x in v] for k, v in value_targets.items()}))\nprint(json.dumps([float(x) for x in i_super]))\n`;
    writeFileSync(join(scratch, 'snippet.py'), script);
    const out = execFileSync(PYTHON, ['snippet.py'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: fileURLToPath(new URL('./golden/shim', import.meta.url)) },
    }).trim().split('\n');
    expect(out[0]).toBe(`<my-cat> cat ${concept.baseModel.fingerprint} 2 layers`);
    const targets = JSON.parse(out[1]!) as Record<string, number[]>;
    const expected = decodeConcept(readFileSync(path));
    expect(targets).toEqual(Object.fromEntries(expected.valueTargets.map((t) => [t.layer, Array.from(t.target)])));
    expect(JSON.parse(out[2]!)).toEqual(Array.from(expected.superEncoding));
  });
});
