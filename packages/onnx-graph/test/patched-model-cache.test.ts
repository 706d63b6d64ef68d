import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { exposeValue } from '../examples/cache-patched-model.js';
import {
  cachePatchedModel,
  externalDataInfo,
  externalizeInitializers,
  externalFileStats,
  isExternalTensor,
  ModelDecodeError,
  PATCH_MANIFEST,
  PatchedModelCacheError,
  patchedModelFingerprint,
  PERFUSION_CACHE_DIR_ENV,
  readModelSync,
  readPatchedModelEntry,
  readSourceModel,
  SOURCE_CACHE_FOLDER,
  sourceCacheDir,
  userCacheDir,
  writeModelSync,
  writePatchedModelEntry,
  type CachePatchedModelOptions,
} from '../src/index.js';
import { mlpModel, mlpReference } from './helpers/tiny-models.js';
import { tempDir } from './helpers/paths.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const inode = (file: string): bigint => fs.statSync(file, { bigint: true }).ino;
const files = (dir: string): string[] => fs.readdirSync(dir).sort();
const manifestOf = (entryDir: string) => JSON.parse(fs.readFileSync(path.join(entryDir, PATCH_MANIFEST), 'utf8')) as Record<string, unknown>;

/**
 * The MLP y = relu(x·W1 + b)·W2 (x [1, 16], W1 [16, 32]: 2048 bytes, b: 128 bytes, W2 [32, 8]: 1024
 * bytes) saved in a fresh folder, weights inline or in one external file.
 */
function mlpFolder(layout: 'inline' | 'external' = 'inline'): { file: string; weights: ReturnType<typeof mlpModel> } {
  const dir = tempDir('patched-model-cache');
  const weights = mlpModel(16, 32, 8);
  if (layout === 'external') externalizeInitializers(weights.model, dir, 'model.onnx_data', { minBytes: 1024 });
  const file = path.join(dir, 'model.onnx');
  writeModelSync(weights.model, file);
  return { file, weights };
}

/** A patch that records what it was given and changes nothing but the producer name. */
function options(overrides: Partial<CachePatchedModelOptions> = {}): CachePatchedModelOptions & { calls: number } {
  const spec = {
    calls: 0,
    label: 'test model',
    patchVersion: 3,
    cacheSubdir: 'test-patches',
    sourceLinkName: 'unpatched-model.onnx',
    patch(model: { producerName: string }) {
      spec.calls++;
      model.producerName = 'patched';
      return { note: 'a field' };
    },
    ...overrides,
  };
  return spec as CachePatchedModelOptions & { calls: number };
}

describe('the README example', () => {
  it('is the code of examples/cache-patched-model.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(packageDir, 'examples/cache-patched-model.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('writes the patched copy once, beside the model, and onnxruntime runs it', async () => {
    const { file, weights } = mlpFolder();
    const first = await exposeValue(file, 'act');
    expect(first).toMatchObject({ reused: false, sourcePath: file, manifest: { exposed: 'act', options: { value: 'act' } } });
    expect(first.modelPath).toBe(path.join(path.dirname(file), SOURCE_CACHE_FOLDER, first.fingerprint, 'model.onnx'));
    expect(files(first.entryDir)).toEqual(['model.onnx', PATCH_MANIFEST, 'source-model.onnx']);
    expect(inode(path.join(first.entryDir, 'source-model.onnx'))).toBe(inode(file));

    const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
    const session = await ort.InferenceSession.create(first.modelPath);
    try {
      const out = await session.run({ x: new ort.Tensor('float32', x, [1, 16]) });
      const expected = mlpReference(x, weights);
      for (const [name, want] of [['y', expected.y], ['act', expected.act]] as const) {
        const got = out[name]!.data as Float32Array;
        for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
      }
    } finally {
      await session.release();
    }

    const again = await exposeValue(file, 'act');
    expect(again).toEqual({ ...first, reused: true });
    const other = await exposeValue(file, 'pre');
    expect(other.fingerprint).not.toBe(first.fingerprint);
  });
});

describe('cachePatchedModel', () => {
  const saved = process.env[PERFUSION_CACHE_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[PERFUSION_CACHE_DIR_ENV];
    else process.env[PERFUSION_CACHE_DIR_ENV] = saved;
  });

  it('references inline weights through a hard link of the source; small ones stay inline unless the patch asks', async () => {
    const { file } = mlpFolder('inline');
    const cacheDir = tempDir('cache');
    const plain = await cachePatchedModel(file, options({ cacheDir }));
    const model = readModelSync(plain.modelPath);
    const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
    expect(isExternalTensor(byName.get('w1')!)).toBe(true);
    expect(isExternalTensor(byName.get('w2')!)).toBe(true);
    expect(isExternalTensor(byName.get('b')!)).toBe(false);
    expect(externalDataInfo(byName.get('w1')!).location).toBe('unpatched-model.onnx');
    expect(model.producerName).toBe('patched');
    expect(plain.manifest).toEqual({
      format: 3,
      fingerprint: plain.fingerprint,
      source: file,
      note: 'a field',
      weights: [{ location: 'unpatched-model.onnx', action: 'hard-linked' }],
    });
    expect(manifestOf(plain.entryDir)).toEqual(plain.manifest);

    const referenced = await cachePatchedModel(
      file,
      options({
        cacheDir,
        options: { small: true },
        patch: (m, entry) => {
          const bias = m.graph!.initializer.find((t) => t.name === 'b')!;
          const placed = entry.placeWeights({ reference: [bias] });
          fs.writeFileSync(path.join(entry.dir, 'notes.bin'), 'extra');
          entry.addWeights({ location: 'notes.bin', action: 'copied' });
          return { placedByPatch: placed.length, biasExternal: isExternalTensor(bias) };
        },
      }),
    );
    expect(referenced.manifest).toMatchObject({ placedByPatch: 1, biasExternal: true, options: { small: true } });
    expect(referenced.manifest.weights).toEqual([
      { location: 'unpatched-model.onnx', action: 'hard-linked' },
      { location: 'notes.bin', action: 'copied' },
    ]);
    expect(isExternalTensor(readModelSync(referenced.modelPath).graph!.initializer.find((t) => t.name === 'b')!)).toBe(true);
  });

  it('hard-links external weight files under their locations', async () => {
    const { file } = mlpFolder('external');
    const cached = await cachePatchedModel(file, options({ cacheDir: tempDir('cache') }));
    expect(files(cached.entryDir)).toEqual(['model.onnx', 'model.onnx_data', PATCH_MANIFEST]);
    expect(inode(path.join(cached.entryDir, 'model.onnx_data'))).toBe(inode(path.join(path.dirname(file), 'model.onnx_data')));
    expect(cached.manifest.weights).toEqual([{ location: 'model.onnx_data', action: 'hard-linked' }]);
  });

  it('keys entries by the source, its weight files, extra files, options, kind and version', async () => {
    const { file } = mlpFolder('external');
    const dir = path.dirname(file);
    const cacheDir = tempDir('cache');
    const spec = options({ cacheDir, extraFiles: { config: 'config.json' } });
    const first = await cachePatchedModel(file, spec);
    expect((await cachePatchedModel(file, spec)).reused).toBe(true);

    fs.writeFileSync(path.join(dir, 'config.json'), '{"a": 1}');
    const withConfig = await cachePatchedModel(file, spec);
    expect(withConfig.fingerprint).not.toBe(first.fingerprint);
    expect(fs.readFileSync(path.join(withConfig.entryDir, 'config.json'), 'utf8')).toBe('{"a": 1}');

    const touched = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'model.onnx_data'), touched, touched);
    const afterTouch = await cachePatchedModel(file, spec);
    const fingerprints = [first, withConfig, afterTouch].map((c) => c.fingerprint);
    for (const change of [{ patchVersion: 4 }, { kind: 'k' }, { options: { x: 1 } }]) {
      fingerprints.push((await cachePatchedModel(file, { ...spec, ...change })).fingerprint);
    }
    expect(new Set(fingerprints).size).toBe(6);
    expect(files(cacheDir)).toEqual([...fingerprints].sort());
  });

  it('computes the fingerprint as documented (entries written by earlier versions stay valid)', async () => {
    const { file } = mlpFolder('external');
    const source = await readSourceModel(file);
    const externalFiles = externalFileStats(source.model, path.dirname(file), file);
    expect(externalFiles).toEqual([expect.objectContaining({ location: 'model.onnx_data', size: fs.statSync(path.join(path.dirname(file), 'model.onnx_data')).size })]);
    const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
    const config = new TextEncoder().encode('{}');
    const description = {
      kind: 'k',
      format: 2,
      options: { a: true },
      model: { sha256: sha(source.bytes), size: source.bytes.length },
      external: externalFiles,
      config: sha(config),
      missing: null,
    };
    expect(
      patchedModelFingerprint({ kind: 'k', patchVersion: 2, options: { a: true }, modelBytes: source.bytes, externalFiles, extraFiles: { config, missing: undefined } }),
    ).toBe(sha(JSON.stringify(description)).slice(0, 32));
    const bare = { format: 2, model: description.model, external: externalFiles };
    expect(patchedModelFingerprint({ patchVersion: 2, modelBytes: source.bytes, externalFiles })).toBe(sha(JSON.stringify(bare)).slice(0, 32));
  });

  it('concurrent callers share one write; a writer that loses the rename keeps the winner', async () => {
    const { file } = mlpFolder();
    const cacheDir = tempDir('cache');
    const spec = options({ cacheDir });
    const results = await Promise.all([cachePatchedModel(file, spec), cachePatchedModel(file, spec), cachePatchedModel(file, spec)]);
    expect(spec.calls).toBe(1);
    expect(new Set(results.map((r) => r.modelPath)).size).toBe(1);

    // Another process finishing the same entry later: its rename fails, the entry stays, nothing is left over.
    const before = inode(results[0]!.modelPath);
    const late = writePatchedModelEntry({ ...spec, source: await readSourceModel(file), fingerprint: results[0]!.fingerprint, entryDir: results[0]!.entryDir });
    expect(late.modelPath).toBe(results[0]!.modelPath);
    expect(inode(results[0]!.modelPath)).toBe(before);
    expect(files(cacheDir)).toEqual([results[0]!.fingerprint]);
  });

  it('rebuilds an entry that is damaged, or that accept() refuses', async () => {
    const { file } = mlpFolder();
    const cacheDir = tempDir('cache');
    const first = await cachePatchedModel(file, options({ cacheDir }));
    fs.rmSync(path.join(first.entryDir, 'unpatched-model.onnx'));
    expect(readPatchedModelEntry(first.entryDir, { patchVersion: 3, fingerprint: first.fingerprint })).toBeUndefined();
    const rebuilt = await cachePatchedModel(file, options({ cacheDir }));
    expect(rebuilt.reused).toBe(false);
    expect(files(rebuilt.entryDir)).toEqual(['model.onnx', PATCH_MANIFEST, 'unpatched-model.onnx']);

    const pickyAccepts: unknown[] = [];
    const picky = await cachePatchedModel(
      file,
      options({ cacheDir, accept: (m) => (pickyAccepts.push(m.note), m.note === 'new'), patch: () => ({ note: 'new' }) }),
    );
    expect(picky.reused).toBe(false);
    expect(picky.manifest.note).toBe('new');
    expect(pickyAccepts).toEqual(['a field', 'a field', 'new']); // the lookup, the rename, the final check
    expect(files(cacheDir)).toEqual([first.fingerprint]);
  });

  it('a failing patch leaves nothing behind', async () => {
    const { file } = mlpFolder();
    const cacheDir = tempDir('cache');
    const failing = options({
      cacheDir,
      patch: () => {
        throw new Error('the graph is not what the patch expects');
      },
    });
    await expect(cachePatchedModel(file, failing)).rejects.toThrow('the graph is not what the patch expects');
    expect(files(cacheDir)).toEqual([]);
  });

  it('falls back to the user cache when the model folder cannot hold one; a given cacheDir must work', async () => {
    const { file } = mlpFolder();
    fs.writeFileSync(sourceCacheDir(file), 'a file where the cache folder would go');
    const userCache = tempDir('user-cache');
    process.env[PERFUSION_CACHE_DIR_ENV] = userCache;
    expect(userCacheDir('test-patches')).toBe(path.join(userCache, 'test-patches'));
    const cached = await cachePatchedModel(file, options());
    expect(cached.modelPath).toBe(path.join(userCache, 'test-patches', cached.fingerprint, 'model.onnx'));
    expect((await cachePatchedModel(file, options())).reused).toBe(true);

    const error = await cachePatchedModel(file, options({ cacheDir: path.join(sourceCacheDir(file), 'x') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchedModelCacheError);
    expect((error as Error).message).toMatch(/^cannot use .*\.perfusion-cache\/x as the test-model cache \(ENOTDIR\); pass a writable cacheDir on the model's file system\.$/);
    expect(userCacheDir('p', { XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/perfusion/p');
  });

  it('errors name the file: a missing source, a missing weight file', async () => {
    const missing = path.join(tempDir('missing'), 'model.onnx');
    await expect(readSourceModel(missing, 'a tiny model.onnx')).rejects.toThrow(ModelDecodeError);
    await expect(cachePatchedModel(missing, options())).rejects.toThrow(`${missing}: does not exist; expected an ONNX model.onnx`);

    const { file } = mlpFolder('external');
    fs.rmSync(path.join(path.dirname(file), 'model.onnx_data'));
    const error = await cachePatchedModel(file, options({ cacheDir: tempDir('cache') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchedModelCacheError);
    expect((error as Error).message).toContain(`${file} keeps weights in 'model.onnx_data', but`);
  });

  // Hard links need one file system. /dev/shm (tmpfs) is usually another one than the temp folder.
  const probe = fs.mkdtempSync(path.join(fs.realpathSync(tmpdir()), 'fs-probe-'));
  const otherFs = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(probe).dev ? '/dev/shm' : undefined;
  fs.rmSync(probe, { recursive: true });
  it.skipIf(otherFs === undefined)('a cache on another file system: an error that says what to do, or a copy with allowCopy', async () => {
    const { file } = mlpFolder('inline');
    const cacheDir = fs.mkdtempSync(path.join(otherFs!, 'onnx-graph-cross-fs-'));
    try {
      await expect(cachePatchedModel(file, options({ cacheDir }))).rejects.toThrow(PatchedModelCacheError);
      await expect(cachePatchedModel(file, options({ cacheDir }))).rejects.toThrow(/The test model reads its weights from links beside it.*allowCopy/);
      expect(files(cacheDir)).toEqual([]);
      const copied = await cachePatchedModel(file, options({ cacheDir, allowCopy: true }));
      expect(copied.manifest.weights).toEqual([{ location: 'unpatched-model.onnx', action: 'copied' }]);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
