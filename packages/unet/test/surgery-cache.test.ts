import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelDecodeError, readModelSync } from '@perfusion/onnx-graph';
import {
  AlreadyPatchedError,
  layerRowInputs,
  NoCrossAttentionError,
  noConceptFeeds,
  PATCH_MANIFEST,
  patchUnetForPerfusion,
  PatchCacheError,
  PERFUSION_CACHE_DIR_ENV,
  SOURCE_CACHE_FOLDER,
  SOURCE_WEIGHTS_LINK,
  UNet,
} from '../src/index.js';
import { isCompleteEntry, writePatchEntry } from '../src/surgery/patch-unet.js';
import { copyWithLayout, tempDir, tinyUnet } from './helpers/surgery-models.js';
import { maxAbsDiff, normalTensor } from './helpers/tensors.js';

const inode = (file: string): bigint => fs.statSync(file, { bigint: true }).ino;
/** Files of a folder (recursively), relative, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('patchUnetForPerfusion: cache', () => {
  it('writes once into <model folder>/.perfusion-cache/<fingerprint>/ and reuses it without rewriting', async () => {
    const source = copyWithLayout(await tinyUnet(), tempDir('reuse'), 'single-file');
    const first = await patchUnetForPerfusion(source);
    expect(first.reused).toBe(false);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(first.modelPath).toBe(path.join(path.dirname(source), SOURCE_CACHE_FOLDER, first.fingerprint, 'model.onnx'));
    expect(first.sourcePath).toBe(source);
    const before = fs.statSync(first.modelPath, { bigint: true });

    const second = await patchUnetForPerfusion(source);
    expect(second.reused).toBe(true);
    expect(second.modelPath).toBe(first.modelPath);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.layers).toEqual(first.layers);
    const after = fs.statSync(first.modelPath, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
    // The entry: the patched graph, its weights (linked), the copied config.json and the record.
    expect(listFiles(path.dirname(first.modelPath))).toEqual(['config.json', 'model.onnx', 'model.onnx_data', PATCH_MANIFEST]);
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(first.modelPath), PATCH_MANIFEST), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ fingerprint: first.fingerprint, source, weights: [{ location: 'model.onnx_data', action: 'hard-linked' }] });
  });

  it('a changed source gives a new patch: model bytes, a weight file touched, the options', async () => {
    const dir = tempDir('changed');
    const source = copyWithLayout(await tinyUnet(), dir, 'single-file');
    const cacheDir = tempDir('changed-cache');
    const first = await patchUnetForPerfusion(source, { cacheDir });

    const touched = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'model.onnx_data'), touched, touched);
    const afterTouch = await patchUnetForPerfusion(source, { cacheDir });
    expect(afterTouch.reused).toBe(false);
    expect(afterTouch.fingerprint).not.toBe(first.fingerprint);

    const model = readModelSync(source);
    model.producerVersion = 'edited';
    fs.writeFileSync(source, Buffer.from(await import('@perfusion/onnx-graph').then((m) => m.encodeModel(model))));
    const afterEdit = await patchUnetForPerfusion(source, { cacheDir });
    expect(afterEdit.reused).toBe(false);
    expect(new Set([first.fingerprint, afterTouch.fingerprint, afterEdit.fingerprint]).size).toBe(3);

    const global = await patchUnetForPerfusion(source, { cacheDir, separateKeyStates: true });
    expect(global.fingerprint).not.toBe(afterEdit.fingerprint);
    expect((await patchUnetForPerfusion(source, { cacheDir })).reused).toBe(true);
    expect(fs.readdirSync(cacheDir).sort()).toEqual([first.fingerprint, afterTouch.fingerprint, afterEdit.fingerprint, global.fingerprint].sort());
  });

  it.each(['single-file', 'per-tensor', 'inline'] as const)('weights stay where they are (%s): hard links, same inode, no copy', async (layout) => {
    const dir = tempDir(`layout-${layout}`);
    const source = copyWithLayout(await tinyUnet(), dir, layout);
    const patched = await patchUnetForPerfusion(source, { cacheDir: tempDir(`layout-${layout}-cache`) });
    const entry = path.dirname(patched.modelPath);
    const linked = listFiles(entry).filter((f) => !['model.onnx', 'config.json', PATCH_MANIFEST].includes(f));
    if (layout === 'single-file') expect(linked).toEqual(['model.onnx_data']);
    if (layout === 'per-tensor') expect(linked.length).toBeGreaterThan(50);
    if (layout === 'inline') expect(linked).toEqual([SOURCE_WEIGHTS_LINK]);
    for (const file of linked) {
      const original = layout === 'inline' ? source : path.join(dir, file);
      expect(inode(path.join(entry, file)), file).toBe(inode(original));
    }
    // The patched model.onnx is a small graph, not a second copy of the weights.
    expect(fs.statSync(patched.modelPath).size).toBeLessThan(fs.statSync(source).size + (layout === 'inline' ? 0 : 200_000));
    expect(fs.statSync(patched.modelPath).size).toBeLessThan(1_000_000);

    // onnxruntime loads it and, with no concept, computes what the source computes.
    const [plain, edited] = [await UNet.create(source), await UNet.create(patched.modelPath)];
    try {
      const args = { sample: normalTensor(1, [1, 4, 8, 8]), timestep: 10, encoderHiddenStates: normalTensor(2, [1, 77, 32]), guidanceScale: 1 };
      const expected = await plain.predictNoise(args);
      const out = await edited.predictNoise({ ...args, extraFeeds: noConceptFeeds(patched, 1, 77) });
      expect(maxAbsDiff(out.data, expected.data)).toBeLessThanOrEqual(1e-5);
      expect(edited.sampleSize).toBe(8); // config.json came along
    } finally {
      await plain.release();
      await edited.release();
    }
  });

  describe('cache folder', () => {
    const saved = process.env[PERFUSION_CACHE_DIR_ENV];
    afterEach(() => {
      if (saved === undefined) delete process.env[PERFUSION_CACHE_DIR_ENV];
      else process.env[PERFUSION_CACHE_DIR_ENV] = saved;
    });

    it('falls back to the user cache when the model folder cannot hold .perfusion-cache', async () => {
      const dir = tempDir('fallback');
      const source = copyWithLayout(await tinyUnet(), dir, 'single-file');
      fs.writeFileSync(path.join(dir, SOURCE_CACHE_FOLDER), 'a file where the cache folder would go');
      const userCache = tempDir('fallback-user');
      process.env[PERFUSION_CACHE_DIR_ENV] = userCache;
      const patched = await patchUnetForPerfusion(source);
      expect(patched.modelPath).toBe(path.join(userCache, 'unet-patches', patched.fingerprint, 'model.onnx'));
      expect(inode(path.join(path.dirname(patched.modelPath), 'model.onnx_data'))).toBe(inode(path.join(dir, 'model.onnx_data')));
      expect((await patchUnetForPerfusion(source)).reused).toBe(true);
    });

    it('an explicit cacheDir that cannot be created is an error, not a silent fallback', async () => {
      const dir = tempDir('explicit');
      const source = copyWithLayout(await tinyUnet(), dir, 'inline');
      const blocker = path.join(dir, 'blocker');
      fs.writeFileSync(blocker, '');
      const promise = patchUnetForPerfusion(source, { cacheDir: path.join(blocker, 'cache') });
      await expect(promise).rejects.toThrow(PatchCacheError);
      await expect(patchUnetForPerfusion(source, { cacheDir: path.join(blocker, 'cache') })).rejects.toThrow(/cannot use .*blocker\/cache as the patched-UNet cache/);
    });
  });

  // Hard links need one file system. /dev/shm (tmpfs) is usually another one than the temp folder.
  const otherFs = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(tempDir('fs-probe')).dev ? '/dev/shm' : undefined;
  it.skipIf(otherFs === undefined)('a cache on another file system: a PatchCacheError that says what to do, or a copy with allowCopy', async () => {
    const source = copyWithLayout(await tinyUnet(), tempDir('cross-fs'), 'single-file');
    const cacheDir = fs.mkdtempSync(path.join(otherFs!, 'perfusion-unet-cross-fs-'));
    try {
      await expect(patchUnetForPerfusion(source, { cacheDir })).rejects.toThrow(PatchCacheError);
      await expect(patchUnetForPerfusion(source, { cacheDir })).rejects.toThrow(/same file system|allowCopy/);
      expect(fs.readdirSync(cacheDir)).toEqual([]); // no partial entry
      const copied = await patchUnetForPerfusion(source, { cacheDir, allowCopy: true });
      const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(copied.modelPath), PATCH_MANIFEST), 'utf8')) as { weights: unknown };
      expect(manifest.weights).toEqual([{ location: 'model.onnx_data', action: 'copied' }]);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('concurrent callers get one entry; a writer that loses the rename keeps the winner', async () => {
    const source = copyWithLayout(await tinyUnet(), tempDir('race'), 'single-file');
    const cacheDir = tempDir('race-cache');
    const [a, b] = await Promise.all([patchUnetForPerfusion(source, { cacheDir }), patchUnetForPerfusion(source, { cacheDir })]);
    expect(a.modelPath).toBe(b.modelPath);
    expect(fs.readdirSync(cacheDir)).toEqual([a.fingerprint]);

    // Another process finishing the same entry later: its rename fails, ours stays, nothing is left over.
    const inodeBefore = inode(a.modelPath);
    const model = readModelSync(source);
    const entry = path.dirname(a.modelPath);
    const { modelPath: _m, reused: _r, ...base } = a;
    writePatchEntry({ model, bytes: fs.readFileSync(source), base, modelDir: path.dirname(source), configBytes: undefined, entry, allowCopy: false });
    expect(inode(a.modelPath)).toBe(inodeBefore);
    expect(fs.readdirSync(cacheDir)).toEqual([a.fingerprint]);
  });

  it('an entry missing a weight link is rebuilt', async () => {
    const source = copyWithLayout(await tinyUnet(), tempDir('broken'), 'single-file');
    const cacheDir = tempDir('broken-cache');
    const first = await patchUnetForPerfusion(source, { cacheDir });
    const entry = path.dirname(first.modelPath);
    fs.rmSync(path.join(entry, 'model.onnx_data'));
    expect(isCompleteEntry(entry, first.fingerprint)).toBe(false);
    const again = await patchUnetForPerfusion(source, { cacheDir });
    expect(again.reused).toBe(false);
    expect(isCompleteEntry(entry, first.fingerprint)).toBe(true);
  });

  it('records the inputs it adds: names per layer, dtype, symbolic dims', async () => {
    const source = await tinyUnet('float16');
    const patched = await patchUnetForPerfusion(source); // default cache: beside the fixture, on its file system
    expect(patched.dtype).toBe('float16');
    expect(patched.inputs.coefficients).toBe('perfusion_coeffs');
    expect(patched.inputs.keyStates).toBeUndefined();
    expect(layerRowInputs('/mid_block/attentions.0/transformer_blocks.0/attn2')).toEqual({
      k: 'perfusion_rows/mid_block/attentions.0/transformer_blocks.0/attn2/k',
      v: 'perfusion_rows/mid_block/attentions.0/transformer_blocks.0/attn2/v',
    });
    const unet = await UNet.create(patched.modelPath);
    try {
      const extra = new Map(unet.io.extraInputs.map((i) => [i.name, i]));
      expect(extra.size).toBe(1 + 2 * patched.layers.length);
      expect(extra.get('perfusion_coeffs')).toEqual({ name: 'perfusion_coeffs', dtype: 'float16', shape: ['batch', 'sequence', 'perfusion_concepts2'] });
      const rows = layerRowInputs(patched.layers[1]!.key);
      expect(patched.inputs.rows.get(patched.layers[1]!.key)).toEqual(rows);
      expect(extra.get(rows.v)).toEqual({ name: rows.v, dtype: 'float16', shape: [1, 'perfusion_concepts2', 64] });
    } finally {
      await unet.release();
    }
  });

  it('errors: a graph without cross-attention, a patched graph, a missing file', async () => {
    const vae = path.join(path.dirname(path.dirname(await tinyUnet())), 'vae_decoder', 'model.onnx');
    await expect(patchUnetForPerfusion(vae, { cacheDir: tempDir('err') })).rejects.toThrow(NoCrossAttentionError);
    await expect(patchUnetForPerfusion(vae, { cacheDir: tempDir('err') })).rejects.toThrow(`${vae}: no cross-attention found`);

    const patched = await patchUnetForPerfusion(await tinyUnet());
    await expect(patchUnetForPerfusion(patched.modelPath, { cacheDir: tempDir('err3') })).rejects.toThrow(AlreadyPatchedError);
    await expect(patchUnetForPerfusion(patched.modelPath, { cacheDir: tempDir('err3') })).rejects.toThrow(/already has the Perfusion input 'perfusion_coeffs'.*patch the original/);

    const missing = path.join(tempDir('missing'), 'model.onnx');
    await expect(patchUnetForPerfusion(missing)).rejects.toThrow(ModelDecodeError);
    await expect(patchUnetForPerfusion(missing)).rejects.toThrow(`${missing}: does not exist; expected a UNet model.onnx`);
  });
});
