import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ensureFixture } from '@perfusion/fixtures';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { RgbImage } from '@perfusion/encoders';
import type { GenerationEvent } from '@perfusion/pipeline';

export type FixtureDType = 'float32' | 'float16';

/** The tiny fixture model folder (generated once into the workspace cache). */
export function tinyModel(dtype: FixtureDType = 'float32'): Promise<string> {
  return ensureFixture('tiny', { dtype, seed: 0 });
}

/** Every event of a generation (rejects with its error). */
export function collect(events: Observable<GenerationEvent>): Promise<GenerationEvent[]> {
  return lastValueFrom(events.pipe(toArray()));
}

/** The error a generation ends with, and the events before it. */
export async function failure(events: Observable<GenerationEvent>): Promise<{ error: unknown; events: GenerationEvent[] }> {
  const seen: GenerationEvent[] = [];
  return new Promise((resolve, reject) => {
    events.subscribe({
      next: (event) => seen.push(event),
      error: (error: unknown) => resolve({ error, events: seen }),
      complete: () => reject(new Error(`expected an error, got ${seen.length} events and completion`)),
    });
  });
}

export function sha256(image: RgbImage): string {
  return createHash('sha256').update(image.data).digest('hex');
}

/** Records calls of one method of a component and the promise of the latest one. */
export interface CallLog {
  count: number;
  args: unknown[][];
  last: Promise<unknown> | undefined;
}

/**
 * Replaces the component registered under `token` by a Proxy that counts calls of `method` (the
 * component itself keeps working). For `configure` callbacks.
 */
export function countCalls<T extends object>(container: DependencyContainer, token: InjectionToken<T>, method: keyof T & string, log: CallLog): void {
  const target = container.resolve(token);
  const proxy = new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object) as unknown;
      // Other methods run on the component itself (its private fields are not the proxy's).
      if (key !== method) return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        log.count++;
        log.args.push(args);
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        log.last = Promise.resolve(result).catch(() => undefined);
        return result;
      };
    },
  });
  container.register(token, { useValue: proxy });
}

export function newLog(): CallLog {
  return { count: 0, args: [], last: undefined };
}

/** Waits until a call in flight has settled and the microtasks after it have run. */
export async function settle(...logs: CallLog[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await Promise.all(logs.map((log) => log.last));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function stepIndices(events: readonly GenerationEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'step' ? [event.index] : []));
}
