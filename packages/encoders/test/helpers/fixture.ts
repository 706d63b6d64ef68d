import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureFixture } from '@perfusion/fixtures';
import { onTestFinished } from 'vitest';

// @perfusion/fixtures is a workspace package used by these tests only. It is not declared in this
// package's package.json because fixtures itself depends on @perfusion/encoders (its tokenizer
// trainer uses the shared byte alphabet, pre-tokeniser and BPE): declaring it would make the
// project graph circular.

/** The cached `tiny` fixture model folder (fp32 by default). */
export function tinyModel(dtype: 'float32' | 'float16' = 'float32'): Promise<string> {
  return ensureFixture('tiny', { dtype });
}

/** A fresh temporary folder, deleted after the current test. */
export function tempDir(label = 'encoders'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Copies a fixture folder (or one component of it) for a test to modify, leaving out the
 * `.perfusion-cache` folders that other test files may have written into the shared fixture:
 * a copied cache entry would make a "first build" look like a reuse.
 */
export function copyFixture(source: string, destination: string): void {
  fs.cpSync(source, destination, { recursive: true, filter: (file) => path.basename(file) !== '.perfusion-cache' });
}
