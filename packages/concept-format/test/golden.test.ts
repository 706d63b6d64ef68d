import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeConcept, encodeConcept, readSafetensors, type ConceptDType } from '@perfusion/concept-format';
import { GOLDEN_LAYERS, goldenConcept } from './fixtures.js';

/**
 * Golden files: test/golden/golden-concept-{f32,f16}.safetensors are our writer's output for
 * goldenConcept() (regenerate with UPDATE_GOLDEN=1 only after a deliberate format change), and
 * *.digest.json is what the independent reader test/golden/read_concept.py (Debian /usr/bin/python3,
 * numpy 1.24) made of them — see its header for the commands. The reader recomputes the concept's
 * values itself, so `matches_golden_formula` checks our float32 bytes and our float16 rounding
 * against numpy's.
 */

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./golden/read_concept.py', import.meta.url));
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const hasNumpy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Digest {
  file_bytes: number;
  file_sha256: string;
  header_bytes: number;
  metadata: Record<string, string>;
  tensors: { name: string; dtype: string; shape: number[]; data_offsets: [number, number]; sha256: string; sum: number }[];
  layer_sums: { layer: string; width: number; sum: number }[];
  matches_golden_formula: boolean;
}

describe.each([
  ['float32', 'f32'],
  ['float16', 'f16'],
] as [ConceptDType, string][])('golden concept in %s', (dtype, suffix) => {
  const bytesPath = golden(`golden-concept-${suffix}.safetensors`);
  const digestPath = golden(`golden-concept-${suffix}.digest.json`);

  it('our writer still produces the committed bytes exactly', () => {
    const bytes = encodeConcept(goldenConcept(), { dtype });
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(bytesPath, bytes);
    expect(sha256(bytes)).toBe(sha256(readFileSync(bytesPath)));
    expect(bytes.length % 2).toBe(0);
  });

  it('the independent reader accepted the committed file, and we read what it read', () => {
    const bytes = new Uint8Array(readFileSync(bytesPath));
    const digest = JSON.parse(readFileSync(digestPath, 'utf8')) as Digest;
    expect(digest.matches_golden_formula).toBe(true);
    expect(digest.file_sha256).toBe(sha256(bytes));
    expect(digest.file_bytes).toBe(bytes.length);

    const file = readSafetensors(bytes, bytesPath);
    expect(file.headerByteLength).toBe(digest.header_bytes);
    expect(file.headerByteLength % 8).toBe(0);
    expect({ ...file.metadata }).toEqual(digest.metadata);
    expect(file.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: sha256(t.bytes) }))).toEqual(
      digest.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, sha256: t.sha256 })),
    );
    expect(digest.tensors.map((t) => t.data_offsets[0])).toEqual(file.tensors.map((t) => t.bytes.byteOffset - 8 - file.headerByteLength));

    const concept = decodeConcept(bytes, { source: bytesPath });
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(concept.valueTargets.map((t) => t.layer)).toEqual(GOLDEN_LAYERS.map((l) => l.layer));
    concept.valueTargets.forEach((t, i) => expect(sum(t.target)).toBeCloseTo(digest.layer_sums[i]!.sum, 9));
    expect(sum(concept.inputEncoding)).toBeCloseTo(digest.tensors.find((t) => t.name === 'input_encoding')!.sum, 9);
  });

  it.skipIf(!hasNumpy)('the independent reader still says the same about our current output', () => {
    const out = execFileSync(PYTHON, [script, 'digest', bytesPath], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(JSON.parse(readFileSync(digestPath, 'utf8')));
  });
});

describe('hand-built files', () => {
  it.skipIf(!hasNumpy)('read_concept.py still writes the committed hand-built bytes', () => {
    for (const [mode, name] of [
      ['handbuilt', 'handbuilt-concept.safetensors'],
      ['mixed', 'handbuilt-mixed.safetensors'],
    ] as const) {
      const out = golden(`.${name}.regenerated`);
      try {
        execFileSync(PYTHON, [script, mode, out]);
        expect(sha256(readFileSync(out))).toBe(sha256(readFileSync(golden(name))));
      } finally {
        if (existsSync(out)) execFileSync('rm', ['-f', out]);
      }
    }
  });
});
