import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeConcept, readConcept } from '@perfusion/concept-format';
import { TEXT_ENCODER, type TextEncoder } from '@perfusion/encoders';
import { CheckpointError, ConceptTrainer, DEFAULT_PROMPT_TEMPLATES, setUpConcept, TrainingSetupError, type TrainingDoneEvent, type TrainingEvent, type TrainingRequest } from '../src/index.js';
import { checkerPhotos, collectTraining, tempFolder, tinyModel } from './training-support.js';

// The paper's ablation of key locking on the tiny fixture: with `keys: 'trained'` the encoding the
// keys are computed from is trained (and saved as the concept's super_encoding); locked runs keep i_super.
describe('ConceptTrainer with trained keys', () => {
  let trainer: ConceptTrainer;
  let photos: string;
  let superEncoding: Float32Array;
  const base = (extra: Partial<TrainingRequest> = {}): TrainingRequest => ({
    images: photos,
    token: '<checker>',
    supercategory: 'cat',
    batchSize: 2,
    microBatchSize: 2,
    seed: 3,
    ...extra,
  });
  const done = (events: readonly TrainingEvent[]) => events.find((e): e is TrainingDoneEvent => e.type === 'done')!;
  const failure = (request: TrainingRequest) => collectTraining(trainer.train(request)).then(() => undefined, (e: unknown) => e);

  beforeAll(async () => {
    trainer = await ConceptTrainer.load(await tinyModel());
    photos = checkerPhotos(2, fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-keys-photos-')));
    const encoder = trainer.pipeline.container.resolve(TEXT_ENCODER) as TextEncoder;
    ({ superEncoding } = await setUpConcept(trainer.pipeline.perfusion!, encoder, { token: '<checker>', supercategory: 'cat', templates: DEFAULT_PROMPT_TEMPLATES }));
  });
  afterAll(async () => {
    await trainer.release();
    fs.rmSync(photos, { recursive: true, force: true });
  });

  it("trains the concept's super_encoding away from i_super, and says so in the summary; locked keys keep i_super", async () => {
    const dir = tempFolder();
    const trainedFile = path.join(dir, 'trained.safetensors');
    const lockedFile = path.join(dir, 'locked.safetensors');
    await collectTraining(trainer.train(base({ steps: 3, keys: 'trained', out: trainedFile })));
    await collectTraining(trainer.train(base({ steps: 3, out: lockedFile })));
    const trained = await readConcept(trainedFile);
    const locked = await readConcept(lockedFile);

    expect(Array.from(locked.superEncoding)).toEqual(Array.from(superEncoding));
    expect(locked.training).not.toHaveProperty('keys');
    const moved = Math.max(...Array.from(trained.superEncoding, (v, i) => Math.abs(v - superEncoding[i]!)));
    // Three AdamW steps move an entry by up to 3 × the learning rate (0.006); weight decay alone, by less than 1e-3.
    expect(moved).toBeGreaterThan(5e-3);
    expect(trained.superEncoding.every(Number.isFinite)).toBe(true);
    expect(trained.training).toMatchObject({ keys: 'trained', steps: 3 });
  });

  it('refuses to resume a run in the other keys mode, and resumes its own to the same bytes as an uninterrupted run', async () => {
    const dir = tempFolder();
    const lockedCheckpoint = path.join(dir, 'locked.ckpt');
    const trainedCheckpoint = path.join(dir, 'trained.ckpt');
    await collectTraining(trainer.train(base({ steps: 2, checkpoint: lockedCheckpoint })));
    await collectTraining(trainer.train(base({ steps: 2, keys: 'trained', checkpoint: trainedCheckpoint })));

    const lockedToTrained = await failure(base({ steps: 4, keys: 'trained', resume: lockedCheckpoint }));
    expect(lockedToTrained).toBeInstanceOf(CheckpointError);
    expect((lockedToTrained as Error).message).toMatch(/other settings: keys \(the default there, "trained" now\)/);
    const trainedToLocked = await failure(base({ steps: 4, resume: trainedCheckpoint }));
    expect(trainedToLocked).toBeInstanceOf(CheckpointError);
    expect((trainedToLocked as Error).message).toMatch(/other settings: keys \("trained" there, the default now\)/);

    // The checkpoint holds the keys' encoding and its AdamW moments, so the resumed run matches exactly.
    const resumed = await collectTraining(trainer.train(base({ steps: 4, keys: 'trained', resume: trainedCheckpoint })));
    const straight = await collectTraining(trainer.train(base({ steps: 4, keys: 'trained' })));
    expect(encodeConcept(done(resumed).concept)).toEqual(encodeConcept(done(straight).concept));
  });

  it('refuses an unknown keys mode before any model call', async () => {
    const error = await failure(base({ steps: 1, keys: 'frozen' as never }));
    expect(error).toBeInstanceOf(TrainingSetupError);
    expect((error as Error).message).toMatch(/'keys' is "frozen"; it must be one of 'locked', 'trained'/);
  });
});
