import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConcept } from '@perfusion/concept-format';
import { CheckpointError, readCheckpoint, writeCheckpoint, type TrainingState } from '../src/index.js';
import { runDifferences } from '../src/training/checkpoint.js';
import { tempFolder } from './data-fixtures.js';

function state(): TrainingState {
  return {
    step: 2,
    valueTargets: [Float32Array.from([1, -2.5]), Float32Array.from([0.125, 3, 4])],
    embedding: Float32Array.from([0.5, -0.5]),
    inputEncoding: Float64Array.from([0.1, 1 / 3, -7e-300]),
    superEncoding: Float32Array.from([1, 2, 3]),
    moments: [
      { m: Float64Array.from([0.1, 0.2]), v: Float64Array.from([1e-9, 2e-9]) },
      { m: Float64Array.from([1, 2, 3]), v: Float64Array.from([4, 5, 6]) },
      { m: Float64Array.from([Math.PI, Math.E]), v: Float64Array.from([0, 1]) },
    ],
    losses: [1.25, 0.75],
  };
}

describe('training checkpoints', () => {
  it('round-trip every number exactly (float64 moments and i*), with the run settings', async () => {
    const file = path.join(tempFolder(), 'run.ckpt');
    await writeCheckpoint(file, state(), { seed: 3, images: [{ name: 'a.png' }] });
    const read = await readCheckpoint(file);
    expect(read.state).toEqual(state());
    expect(read.run).toEqual({ seed: 3, images: [{ name: 'a.png' }] });
  });

  it("keeps the moments of the keys' encoding when a run trains the keys (one more optimiser group)", async () => {
    const file = path.join(tempFolder(), 'keys.ckpt');
    const trained = { ...state(), moments: [...state().moments, { m: Float64Array.from([1, 2, 3]), v: Float64Array.from([0.5, 0.25, 0.125]) }] };
    await writeCheckpoint(file, trained, { keys: 'trained' });
    expect((await readCheckpoint(file)).state).toEqual(trained);
  });

  it('replaces the previous checkpoint atomically (no temporary file left)', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'run.ckpt');
    await writeCheckpoint(file, state(), {});
    await writeCheckpoint(file, { ...state(), step: 3, losses: [1, 2, 3] }, {});
    expect(fs.readdirSync(dir)).toEqual(['run.ckpt']);
    expect((await readCheckpoint(file)).state.step).toBe(3);
  });

  it('refuses missing files, concept files and damaged metadata with CheckpointError naming the file', async () => {
    const dir = tempFolder();
    await expect(readCheckpoint(path.join(dir, 'missing.ckpt'))).rejects.toThrow(CheckpointError);
    const concept = path.join(dir, 'concept.safetensors');
    await writeConcept(concept, {
      token: '<x>',
      supercategory: 'cat',
      inputEncoding: Float32Array.from([1, 0]),
      superEncoding: Float32Array.from([0, 1]),
      wordEmbedding: Float32Array.from([1, 1]),
      valueTargets: [{ layer: '/l', width: 2, target: Float32Array.from([1, 2]) }],
      baseModel: { fingerprint: 'f' },
    });
    await expect(readCheckpoint(concept)).rejects.toThrow(/concept.safetensors is not a training checkpoint/);
    const garbage = path.join(dir, 'garbage.ckpt');
    fs.writeFileSync(garbage, 'not safetensors at all');
    await expect(readCheckpoint(garbage)).rejects.toThrow(CheckpointError);
  });

  it('runDifferences lists changed settings except steps', () => {
    expect(runDifferences({ seed: 1, steps: 10, lr: 0.1 }, { seed: 2, steps: 20, lr: 0.1 })).toEqual(['seed']);
    expect(runDifferences({ images: [{ sha256: 'a' }] }, { images: [{ sha256: 'b' }] })).toEqual(['images']);
  });
});
