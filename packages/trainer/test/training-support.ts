/** Shared pieces of the training tests: the tiny model, synthetic concept photos, event collection. */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureFixture } from '@perfusion/fixtures';
import { encodePng } from '@perfusion/encoders';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { TrainingEvent } from '../src/index.js';
import { paint, tempFolder } from './data-fixtures.js';

/** The tiny fixture (64 × 64 pixels, 8 × 8 latents), generated once into the workspace cache. */
export function tinyModel(): Promise<string> {
  return ensureFixture('tiny', { dtype: 'float32', seed: 0 });
}

/** A folder of `count` 64 × 64 checkerboard photos (a pattern the random tiny model knows nothing of). */
export function checkerPhotos(count = 3, dir: string = tempFolder()): string {
  for (let k = 0; k < count; k++) {
    const image = paint(64, 64, (x, y) => (((x >> 3) + (y >> 3) + k) % 2 === 0 ? [220, 40, 60] : [30, 200, 60]));
    fs.writeFileSync(path.join(dir, `photo-${k}.png`), encodePng(image));
  }
  return dir;
}

/** Every event of a training (rejects with its error). */
export function collectTraining(events: Observable<TrainingEvent>): Promise<TrainingEvent[]> {
  return lastValueFrom(events.pipe(toArray()));
}

/** The losses of the step events, in order. */
export function stepLosses(events: readonly TrainingEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

export { tempFolder };
