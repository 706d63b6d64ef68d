import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
// imports:start
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compatibility, inspectConcept, readConcept, writeConcept } from '@perfusion/concept-format';
// imports:end

// The README's example is the import block and the code between the example markers below; the
// first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', async () => {
    // example:start
    // A concept: i*, i_super and the token's word embedding, and o*_V per cross-attention layer.
    const layer = '/down_blocks.0/attentions.0/transformer_blocks.0/attn2';
    const concept = {
      token: '<my-cat>',
      supercategory: 'cat',
      inputEncoding: Float32Array.from([0.5, -1, 2, 0.25]),
      superEncoding: Float32Array.from([0.5, -1, 1.5, 0]),
      wordEmbedding: Float32Array.from([0.01, 0.02, -0.03, 0.04]),
      valueTargets: [{ layer, width: 3, target: Float32Array.from([1, 2, 3]) }],
      baseModel: { fingerprint: 'sha256:5d41402a', name: 'tiny' },
      training: { steps: 400, seed: 7 },
    };

    // Atomic write (temp file + rename); float16 halves the size.
    const path = join(tmpdir(), 'my-cat.safetensors');
    await writeConcept(path, concept, { dtype: 'float16' });

    // Strict read. With an expectation, a concept made for another model is refused with a
    // typed error naming the file and the field (here it matches).
    const model = { fingerprint: 'sha256:5d41402a', layers: [{ layer, width: 3 }], embeddingDim: 4 };
    const loaded = await readConcept(path, model); // loaded.defaults: { beta: 0.7, tau: 0.15 }

    // The same checks as data, for a UI: here one problem of kind 'base-model'.
    const problems = compatibility(loaded, { ...model, fingerprint: 'sha256:7d793037' });

    // What `perfusion inspect` prints: metadata, sizes, layers, value count.
    const summary = await inspectConcept(path); // summary.sizes.file: 726 bytes
    // example:end

    expect(Array.from(loaded.valueTargets[0]!.target)).toEqual([1, 2, 3]);
    expect(loaded.defaults).toEqual({ beta: 0.7, tau: 0.15 });
    expect(loaded.dtype).toBe('float16');
    expect(problems.map((p) => p.kind)).toEqual(['base-model']);
    expect(summary).toMatchObject({ token: '<my-cat>', floats: 15, layers: [{ layer, width: 3 }] });
    expect(summary.sizes.file).toBe(726);
    rmSync(path);
  });
});
