import { describe, expect, it } from 'vitest';
import { SceneError } from '@perfusion/toyworld';
import { isHeldOut, pairCheck, parseColourPairs, TOY_MODEL_DIR } from '../src/index.js';

describe('parseColourPairs', () => {
  it('reads colour/background pairs, comma-separated', () => {
    expect(parseColourPairs('gray/purple, yellow/white')).toEqual([
      { colour: 'gray', background: 'purple' },
      { colour: 'yellow', background: 'white' },
    ]);
  });

  it('refuses an unknown colour, a colour on itself and a malformed item, naming the item and the palette', () => {
    for (const bad of ['grey/purple', 'gray/gray', 'gray', 'gray/purple/red']) {
      expect(() => parseColourPairs(bad)).toThrow(SceneError);
      expect(() => parseColourPairs(bad)).toThrow(new RegExp(`pair '${bad}': expected colour/background.*red, orange`));
    }
  });
});

describe('pairCheck on the committed model', () => {
  it('tallies generated and autoencoded pictures per pair, five places each, with the held-out flag', async () => {
    // Yellow on blue, the palette's farthest pair: the committed autoencoder gives every small star back there.
    const rows = await pairCheck(TOY_MODEL_DIR, 'star', { pairs: [{ colour: 'yellow', background: 'blue' }, { colour: 'gray', background: 'purple' }], seeds: [0] });
    expect(rows.map((r) => [r.colour, r.background, r.heldOut])).toEqual([
      ['yellow', 'blue', isHeldOut('star', 'yellow', 'blue')],
      ['gray', 'purple', true],
    ]);
    for (const row of rows) {
      expect(row.generated.total).toBe(5);
      expect(row.autoencoder.total).toBe(5);
      expect(row.generated.misread).toHaveLength(5 - row.generated.right);
      expect(row.autoencoder.misread).toHaveLength(5 - row.autoencoder.right);
    }
    expect(rows[0]!.autoencoder.right).toBe(5);
    // Gray on purple, among the closest pairs: the autoencoder committed before returned no small star
    // there; the committed one, trained on with the reconstruction weights, returns all five (docs/toy-model.md).
    expect(rows[1]!.autoencoder.right).toBe(5);
  }, 120_000);

  it('checks, without pairs given, the closer half of the pairs as the model’s encoder measures them, closest first', async () => {
    // No seeds: the autoencoder column alone, which is quick.
    const rows = await pairCheck(TOY_MODEL_DIR, 'star', { seeds: [] });
    expect(rows).toHaveLength(36);
    expect([rows[0]!.colour, rows[0]!.background]).toEqual(['blue', 'purple']); // the closest pair in the committed encoder's latent
    expect(rows.every((r) => r.generated.total === 0 && r.autoencoder.total === 5)).toBe(true);
    expect(rows.some((r) => r.colour === 'yellow' && r.background === 'white')).toBe(true);
    expect(rows.some((r) => r.colour === 'yellow' && r.background === 'blue')).toBe(false);
  }, 120_000);
});
