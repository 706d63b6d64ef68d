import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RgbImage } from '@perfusion/encoders';
import type { DoneEvent, GenerationEvent } from '@perfusion/pipeline';

/** A fresh temporary folder and a function that deletes it. */
export function tempFolder(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function doneOf(events: readonly GenerationEvent[]): DoneEvent {
  const last = events.at(-1);
  if (last?.type !== 'done') throw new Error(`the last event is ${last?.type ?? 'missing'}, not done`);
  return last;
}

/** Largest difference between two images' bytes. */
export function maxByteDifference(a: RgbImage, b: RgbImage): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
