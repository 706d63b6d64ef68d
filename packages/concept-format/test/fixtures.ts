import { Rng } from '@perfusion/tensor-core';
import type { ConceptToWrite, LayerSpec } from '@perfusion/concept-format';

/**
 * Concepts the tests share. `goldenConcept()` must stay in step with GOLDEN_* and `formula` in
 * test/golden/read_concept.py, which recomputes the same values independently.
 */

const SCALES = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0];
/** float16 edge cases: a tie rounding down to even, a tie rounding up to even, the largest value
 *  rounding to 65504, the smallest subnormal, a tie between 0 and it (→ 0), and −0. */
const SPECIALS = [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 2 ** -24, 2 ** -25, -0];

export const GOLDEN_LAYERS: LayerSpec[] = [
  { layer: '/down_blocks.0/attentions.0/transformer_blocks.0/attn2', width: 4 },
  { layer: '/mid_block/attentions.0/transformer_blocks.0/attn2', width: 6 },
  { layer: '/up_blocks.1/attentions.2/transformer_blocks.0/attn2', width: 5 },
];

/** Element i of tensor k, as in read_concept.py's `formula`. */
export function formula(k: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((((i * 7 + k * 13) % 29) - 14) / 9) * SCALES[i % 7]!);
}

export const GOLDEN_FINGERPRINT = 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

export function goldenConcept(): ConceptToWrite {
  const word = formula(2, 10);
  word.set(SPECIALS);
  const stacked = formula(3, GOLDEN_LAYERS.reduce((s, l) => s + l.width, 0));
  let at = 0;
  return {
    token: '<golden-cat>',
    supercategory: 'cat',
    inputEncoding: formula(0, 8),
    superEncoding: formula(1, 8),
    wordEmbedding: word,
    valueTargets: GOLDEN_LAYERS.map(({ layer, width }) => {
      const target = stacked.slice(at, at + width);
      at += width;
      return { layer, width, target };
    }),
    baseModel: { fingerprint: GOLDEN_FINGERPRINT, name: 'tiny-golden' },
    defaults: { beta: 0.7, tau: 0.15 },
    training: { steps: 400, seed: 7, loss: 0.0123, prompts: ['a photo of <golden-cat>'] },
    createdBy: 'concept-format golden test',
  };
}

/** SD-1.5's 16 cross-attention layers (names as in optimum's ONNX export), widths 320×5, 640×5, 1280×6. */
export function sd15Layers(): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (const [block, width] of [[0, 320], [1, 640], [2, 1280]] as const) {
    for (const a of [0, 1]) layers.push({ layer: `/down_blocks.${block}/attentions.${a}/transformer_blocks.0/attn2`, width });
  }
  layers.push({ layer: '/mid_block/attentions.0/transformer_blocks.0/attn2', width: 1280 });
  for (const [block, width] of [[1, 1280], [2, 640], [3, 320]] as const) {
    for (const a of [0, 1, 2]) layers.push({ layer: `/up_blocks.${block}/attentions.${a}/transformer_blocks.0/attn2`, width });
  }
  return layers;
}

/** A concept of random normal values for the given layers (SD-1.5's by default). */
export function randomConcept(seed: number, layers: LayerSpec[] = sd15Layers(), d = 768, dEmb = d): ConceptToWrite {
  const rng = new Rng(seed);
  const normal = (n: number, scale: number) => rng.fillNormal(new Float32Array(n)).map((v) => v * scale);
  return {
    token: '<my-cat>',
    supercategory: 'cat',
    inputEncoding: normal(d, 1),
    superEncoding: normal(d, 1),
    wordEmbedding: normal(dEmb, 0.02),
    valueTargets: layers.map(({ layer, width }) => ({ layer, width, target: normal(width, 0.5) })),
    baseModel: { fingerprint: 'sha256:' + 'ab'.repeat(32), name: 'stable-diffusion-v1-5' },
    training: { steps: 400, seed, loss: 0.0421 },
  };
}
