import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultFixtureCacheDir, ensureFixture, fixtureCacheKey } from '@perfusion/fixtures';

/** What the embedded default model is and where it lives. */
export interface DefaultModel {
  readonly dir: string;
  readonly description: string;
  /** True when this call generated it (first use), false when it was already cached. */
  readonly created: boolean;
}

/**
 * The model used when no `--model` is given. For now it is the `tiny` test fixture (an SD-1.x
 * architecture with random weights: every stage of the pipeline runs, the picture is noise-like),
 * generated on first use into the cache (`$PERFUSION_CACHE_DIR/fixtures`, or
 * `node_modules/.cache/perfusion/fixtures` under the project root) and reused afterwards.
 */
export async function ensureDefaultModel(onGenerating?: (dir: string) => void): Promise<DefaultModel> {
  const expected = path.join(defaultFixtureCacheDir(), fixtureCacheKey('tiny', 'float32', 0));
  const created = !fs.existsSync(expected);
  if (created) onGenerating?.(expected);
  const dir = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
  return { dir, created, description: 'the tiny test model (random weights; the image is noise-like)' };
}
