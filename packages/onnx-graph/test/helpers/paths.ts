import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root (the folder holding packages/). */
export const repoRoot = path.resolve(here, '../../../..');

/** The real diffusers UNet exported by torch.onnx (see its README), shared by all sessions. */
export const diffusersUnetDir = path.resolve(repoRoot, '../shared/fixtures/diffusers-unet-tiny');
export const diffusersUnetModel = path.join(diffusersUnetDir, 'model.onnx');

/**
 * A fresh temporary folder, deleted after the current test. Call inside a test; files made by
 * tests never land in the repository.
 */
export function tempDir(label = 'onnx-graph'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
