import { UNET } from '@perfusion/unet';
import type { DependencyContainer } from 'tsyringe';

/**
 * A worker pipeline's configure module for the tests (it runs inside the worker thread): counts
 * UNet calls in a shared array the test thread reads, and can hold one call — the worker then sits
 * inside that UNet call, mid-step — until the test releases it. See {@link UnetProbe}.
 */
export function configure(container: DependencyContainer, data: { shared: SharedArrayBuffer }): void {
  const cells = new Int32Array(data.shared);
  const real = container.resolve(UNET);
  container.register(UNET, {
    useValue: new Proxy(real, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver) as unknown;
        if (key !== 'predictNoise' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const call = Atomics.add(cells, CALLS, 1) + 1;
          Atomics.notify(cells, CALLS);
          // Blocks this worker thread (not the server's) while the test looks at the server.
          if (call === Atomics.load(cells, HOLD_AT)) Atomics.wait(cells, RELEASED, 0);
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    }),
  });
}

/** `Atomics.waitAsync` (Node ≥ 16; typed only in TypeScript's es2024 library, newer than the workspace's). */
const waitAsync = (Atomics as unknown as { waitAsync(cells: Int32Array, index: number, value: number): { value: Promise<string> | string } }).waitAsync;

const CALLS = 0;
const HOLD_AT = 1;
const RELEASED = 2;

/** The test side of the probe: pass {@link options} to the server's worker pipelines. */
export class UnetProbe {
  readonly shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  private readonly cells = new Int32Array(this.shared);

  /** `startDemoServer`'s `pipeline` option that installs the probe in every worker. */
  get options(): { configureModule: URL; configureData: { shared: SharedArrayBuffer } } {
    return { configureModule: new URL('./unet-probe.ts', import.meta.url), configureData: { shared: this.shared } };
  }

  /** UNet calls made so far, by every worker. */
  get calls(): number {
    return Atomics.load(this.cells, CALLS);
  }

  /** Makes UNet call number `call` (counting from 1, over all workers) wait for {@link release}. */
  holdAt(call: number): void {
    Atomics.store(this.cells, RELEASED, 0);
    Atomics.store(this.cells, HOLD_AT, call);
  }

  /** Resolves once at least `count` UNet calls have started. */
  async callsReached(count: number): Promise<void> {
    for (let seen = this.calls; seen < count; seen = this.calls) await waitAsync(this.cells, CALLS, seen).value;
  }

  release(): void {
    Atomics.store(this.cells, RELEASED, 1);
    Atomics.notify(this.cells, RELEASED);
  }
}
