import { appendFileSync } from 'node:fs';
import { TEXT_ENCODER, VAE_DECODER } from '@perfusion/encoders';
import { UNET } from '@perfusion/unet';
import type { DependencyContainer, InjectionToken } from 'tsyringe';

/**
 * A worker pipeline's configure module for the tests: appends one line per text-encoder, UNet and
 * VAE-decoder call to `data.logFile`, so the main thread can count calls made inside the worker.
 */
export function configure(container: DependencyContainer, data: { logFile: string }): void {
  wrap(container, TEXT_ENCODER, 'encode', 'text', data.logFile);
  wrap(container, UNET, 'predictNoise', 'unet', data.logFile);
  wrap(container, VAE_DECODER, 'decode', 'vae', data.logFile);
}

function wrap<T extends object>(container: DependencyContainer, token: InjectionToken<T>, method: string, label: string, logFile: string): void {
  const real = container.resolve(token);
  container.register(token, {
    useValue: new Proxy(real, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver) as unknown;
        if (key !== method || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          appendFileSync(logFile, `${label}\n`);
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    }),
  });
}
