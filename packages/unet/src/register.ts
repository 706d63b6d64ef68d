import type { SessionOptions } from '@perfusion/onnx-graph';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { resolveUnetModelPath } from './model-path.js';
import { UNet, type GuidanceBatching } from './unet.js';

/** The dependency-injection token of the pipeline's {@link UNet}. */
export const UNET: InjectionToken<UNet> = Symbol('perfusion.UNet');

/** Options of {@link registerUnet}. */
export interface RegisterUnetOptions {
  /** A diffusers/optimum ONNX model folder (with `unet/model.onnx`), or the unet folder itself. */
  readonly modelDir: string;
  readonly session?: SessionOptions;
  readonly guidanceBatching?: GuidanceBatching;
}

/**
 * Opens the folder's UNet and registers it in `container` under {@link UNET} as a value (one
 * session per container; the container's owner releases it with `container.resolve(UNET).release()`).
 * This module imports only tsyringe's types: the caller, which owns the container, imports
 * `reflect-metadata` and tsyringe.
 */
export async function registerUnet(container: DependencyContainer, options: RegisterUnetOptions): Promise<void> {
  const modelPath = await resolveUnetModelPath(options.modelDir);
  const unet = await UNet.create(modelPath, { session: options.session, guidanceBatching: options.guidanceBatching });
  container.register(UNET, { useValue: unet });
}
