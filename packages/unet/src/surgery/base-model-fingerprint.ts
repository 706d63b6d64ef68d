import { createHash } from 'node:crypto';
import { toFloat16Array } from '@perfusion/tensor-core';
import { UnetArgumentError } from '../errors.js';
import type { CrossAttentionLayer } from './layers.js';
import type { LayerWeights } from './projection-weights.js';

/** Version of the {@link baseModelFingerprint} recipe; part of the string. */
export const BASE_FINGERPRINT_VERSION = 1;

/**
 * Identifies the base model a concept belongs to, from what a concept depends on: the
 * cross-attention layers (keys, widths, text width) and their K/V weights.
 *
 * Format: `unet-v1-L<layers>-d<dim>-W<sum of widths>-<32 hex digits>`, e.g.
 * `unet-v1-L16-d768-W12480-3f9c…`. The hex digits are the first 128 bits of SHA-256 over, layer by
 * layer in graph order, the line `<key>\t<dim>\t<width>\n` followed by the K and then the V
 * weight, each rounded to float16 (round to nearest even) and written as little-endian 16-bit
 * words. The rounding makes the float32 and float16 exports of one model agree (a float16 export
 * holds exactly the rounded float32 weights); weights that differ only below float16 precision
 * count as the same model. Exports whose node names differ (so whose layer keys differ) get
 * different fingerprints.
 *
 * @throws UnetArgumentError when `weights` does not match `layers` (order, keys, sizes).
 */
export function baseModelFingerprint(layers: readonly CrossAttentionLayer[], weights: readonly LayerWeights[]): string {
  if (weights.length !== layers.length) {
    throw new UnetArgumentError(`baseModelFingerprint: ${layers.length} layers but weights for ${weights.length}; pass readProjectionWeights(model, layers).`);
  }
  const hash = createHash('sha256');
  let widths = 0;
  layers.forEach((layer, i) => {
    const w = weights[i]!;
    const size = layer.dim * layer.width;
    if (w.key !== layer.key || w.k.data.length !== size || w.v.data.length !== size) {
      throw new UnetArgumentError(
        `baseModelFingerprint: weights[${i}] ('${w.key}', ${w.k.data.length} and ${w.v.data.length} values) do not belong to layer ` +
          `'${layer.key}' ([${layer.dim}, ${layer.width}] = ${size} values); pass readProjectionWeights(model, layers).`,
      );
    }
    widths += layer.width;
    hash.update(`${layer.key}\t${layer.dim}\t${layer.width}\n`);
    for (const data of [w.k.data, w.v.data]) hash.update(littleEndianBytes(toFloat16Array(data)));
  });
  const dim = layers[0]?.dim ?? 0;
  return `unet-v${BASE_FINGERPRINT_VERSION}-L${layers.length}-d${dim}-W${widths}-${hash.digest('hex').slice(0, 32)}`;
}

function littleEndianBytes(words: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return swapped;
}
