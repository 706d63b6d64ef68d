import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { UnetModelNotFoundError } from './errors.js';

/**
 * The UNet model file of a model folder: `<dir>/unet/model.onnx` (the diffusers/optimum ONNX
 * layout), else `<dir>/model.onnx` (`dir` is the unet folder itself). Throws
 * {@link UnetModelNotFoundError} naming both paths when neither exists.
 */
export async function resolveUnetModelPath(modelDir: string): Promise<string> {
  const candidates = [path.join(modelDir, 'unet', 'model.onnx'), path.join(modelDir, 'model.onnx')];
  for (const candidate of candidates) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next layout
    }
  }
  throw new UnetModelNotFoundError(modelDir, candidates);
}
