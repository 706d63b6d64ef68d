import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  externalDataInfo,
  externalizeInitializers,
  inlinePayload,
  isExternalTensor,
  readModel,
  writeExternalTensorFile,
  writeModel,
} from '@perfusion/onnx-graph';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClipTokenizer,
  EXTENSION_MANIFEST,
  extendTextEncoderModel,
  TextEncoder,
  TokenEmbeddingCacheError,
  textEncoderCacheDir,
} from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';
import { maxAbsDiff } from './helpers/ort.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TABLE = 'text_model.embeddings.token_embedding.weight';

/** A private copy of the tiny fixture's text_encoder/, laid out as `layout` says. */
async function textEncoderCopy(layout: 'inline' | 'one-file' | 'per-tensor' = 'inline'): Promise<string> {
  const dir = path.join(tempDir('added-tokens-cache'), 'text_encoder');
  copyFixture(path.join(await tinyModel(), 'text_encoder'), dir);
  const file = path.join(dir, 'model.onnx');
  if (layout === 'inline') return file;
  const model = await readModel(file);
  if (layout === 'one-file') {
    expect(externalizeInitializers(model, dir, 'model.onnx_data')).toBeGreaterThan(10);
  } else {
    for (const tensor of model.graph!.initializer) if (tensor.rawData.length >= 1024) writeExternalTensorFile(dir, tensor, inlinePayload(tensor).slice());
  }
  await writeModel(model, file);
  return file;
}

function entries(cacheDir: string): string[] {
  return fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : [];
}

const inode = (file: string) => fs.statSync(file).ino;

/** Encodes a few prompts (one with an added token) with the plain and the extended encoder of `file`. */
async function compareWithPlain(file: string, extended: TextEncoder): Promise<void> {
  const tokenizer = await ClipTokenizer.fromFolder(path.join(await tinyModel(), 'tokenizer'));
  const plain = await TextEncoder.create(file);
  try {
    const ids = [tokenizer.encode('a photo of a cat').ids, tokenizer.encode('a fox in the snow').ids];
    expect(maxAbsDiff((await extended.encode(ids)).data, (await plain.encode(ids)).data)).toBe(0);
    const [cat] = tokenizer.tokenIds('cat');
    tokenizer.addToken('<c>');
    const row = await extended.readTokenEmbedding(cat!);
    expect([...row]).toEqual([...(await plain.readTokenEmbedding(cat!))]);
    const concept = await extended.encode([tokenizer.encode('a photo of a <c>').ids], { extraEmbeddings: row });
    expect(maxAbsDiff(concept.data, (await plain.encode([ids[0]!])).data)).toBe(0);
  } finally {
    await plain.release();
  }
}

describe('the cache of extended text encoders', () => {
  const savedEnv = process.env.PERFUSION_CACHE_DIR;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.PERFUSION_CACHE_DIR;
    else process.env.PERFUSION_CACHE_DIR = savedEnv;
  });

  it('writes one entry beside the model and reuses it; inline weights are referenced through a hard link, not copied', async () => {
    const file = await textEncoderCopy('inline');
    const cacheDir = path.join(path.dirname(file), '.perfusion-cache');
    expect(textEncoderCacheDir(file)).toBe(cacheDir);
    const first = await extendTextEncoderModel(file);
    expect(first.reused).toBe(false);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(first.modelPath).toBe(path.join(cacheDir, first.fingerprint, 'model.onnx'));
    expect(entries(cacheDir)).toEqual([first.fingerprint]);
    const entry = path.dirname(first.modelPath);
    expect(fs.readdirSync(entry).sort()).toEqual(['model.onnx', 'perfusion-patch.json', 'unextended-model.onnx']);
    expect(inode(path.join(entry, 'unextended-model.onnx'))).toBe(inode(file));
    expect(fs.statSync(file).nlink).toBe(2);
    expect(fs.statSync(first.modelPath).size).toBeLessThan(fs.statSync(file).size / 4);
    const extendedModel = await readModel(first.modelPath);
    const table = extendedModel.graph!.initializer.find((t) => t.name === TABLE)!;
    expect(externalDataInfo(table).location).toBe('unextended-model.onnx');
    expect(first.table).toMatchObject({ file: path.join(entry, 'unextended-model.onnx'), offset: externalDataInfo(table).offset, vocabSize: 1280, dim: 32, dtype: 'float32' });
    const manifest = JSON.parse(fs.readFileSync(path.join(entry, EXTENSION_MANIFEST), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ kind: 'text-encoder-added-tokens', format: 1, fingerprint: first.fingerprint, source: file, input: 'perfusion_token_embeddings', gather: '/text_model/embeddings/token_embedding/Gather' });
    expect(manifest.weights).toEqual([{ location: 'unextended-model.onnx', action: 'hard-linked' }]);

    const modelMtime = fs.statSync(first.modelPath).mtimeMs;
    const encoder = await TextEncoder.create(file, { addedTokens: true });
    try {
      expect(encoder.extension).toMatchObject({ reused: true, modelPath: first.modelPath, fingerprint: first.fingerprint });
      expect(encoder.session.path).toBe(first.modelPath);
      expect(encoder.modelPath).toBe(file);
      await compareWithPlain(file, encoder);
    } finally {
      await encoder.release();
    }
    expect(fs.statSync(first.modelPath).mtimeMs).toBe(modelMtime);
    expect(entries(cacheDir)).toEqual([first.fingerprint]);
  });

  it('makes a new entry when the source changes', async () => {
    const file = await textEncoderCopy('inline');
    const first = await extendTextEncoderModel(file);
    const model = await readModel(file);
    model.docString = 'edited';
    await writeModel(model, file);
    const second = await extendTextEncoderModel(file);
    expect(second.reused).toBe(false);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(entries(textEncoderCacheDir(file))).toEqual([first.fingerprint, second.fingerprint].sort());
    expect(inode(path.join(path.dirname(second.modelPath), 'unextended-model.onnx'))).toBe(inode(file));
  });

  it.each(['one-file', 'per-tensor'] as const)('hard-links external weights (%s layout) instead of copying them', async (layout) => {
    const file = await textEncoderCopy(layout);
    const source = await readModel(file);
    const locations = [...new Set(source.graph!.initializer.filter(isExternalTensor).map((t) => externalDataInfo(t).location))];
    expect(locations.length).toBe(layout === 'one-file' ? 1 : source.graph!.initializer.filter(isExternalTensor).length);
    const encoder = await TextEncoder.create(file, { addedTokens: true });
    try {
      const entry = path.dirname(encoder.session.path);
      for (const location of locations) expect(inode(path.join(entry, location)), location).toBe(inode(path.join(path.dirname(file), location)));
      expect(fs.existsSync(path.join(entry, 'unextended-model.onnx'))).toBe(false); // nothing big is inline
      const tableLocation = externalDataInfo(source.graph!.initializer.find((t) => t.name === TABLE)!);
      expect(encoder.extension!.table).toMatchObject({ file: path.join(entry, tableLocation.location), offset: tableLocation.offset });
      await compareWithPlain(file, encoder);
    } finally {
      await encoder.release();
    }
  });

  it('shares one write between concurrent callers in this process', async () => {
    const file = await textEncoderCopy();
    const results = await Promise.all([extendTextEncoderModel(file), extendTextEncoderModel(file), extendTextEncoderModel(file)]);
    expect(new Set(results.map((r) => r.modelPath)).size).toBe(1);
    expect(entries(textEncoderCacheDir(file))).toEqual([results[0]!.fingerprint]);
  });

  it('is safe when several processes extend the same model at once', async () => {
    const file = await textEncoderCopy();
    const script = [
      `const { extendTextEncoderModel } = await import(${JSON.stringify(path.join(packageDir, 'src/token-embeddings/extended-model-cache.ts'))});`,
      `const r = await extendTextEncoderModel(${JSON.stringify(file)});`,
      'console.log(JSON.stringify({ modelPath: r.modelPath, reused: r.reused }));',
    ].join('\n');
    const run = promisify(execFile);
    const outputs = await Promise.all(
      [0, 1, 2].map(() => run(process.execPath, ['--conditions=@perfusion/source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: packageDir })),
    );
    const results = outputs.map((o) => JSON.parse(o.stdout.trim()) as { modelPath: string; reused: boolean });
    expect(new Set(results.map((r) => r.modelPath)).size).toBe(1);
    const cacheDir = textEncoderCacheDir(file);
    expect(entries(cacheDir)).toEqual([path.basename(path.dirname(results[0]!.modelPath))]); // no temporary folders left
    const encoder = await TextEncoder.create(file, { addedTokens: true });
    try {
      expect(encoder.extension!.reused).toBe(true);
      await compareWithPlain(file, encoder);
    } finally {
      await encoder.release();
    }
  }, 60_000);

  it('replaces a damaged entry', async () => {
    const file = await textEncoderCopy();
    const first = await extendTextEncoderModel(file);
    const entry = path.dirname(first.modelPath);
    fs.rmSync(path.join(entry, 'unextended-model.onnx'));
    const second = await extendTextEncoderModel(file);
    expect(second.reused).toBe(false);
    expect(second.modelPath).toBe(first.modelPath);
    expect(fs.readdirSync(entry).sort()).toEqual(['model.onnx', 'perfusion-patch.json', 'unextended-model.onnx']);
    expect(entries(path.dirname(entry))).toEqual([first.fingerprint]);
  });

  it('uses a given cacheDir, and the user cache when the model folder cannot hold one', async () => {
    const file = await textEncoderCopy();
    const own = path.join(tempDir(), 'cache');
    const given = await extendTextEncoderModel(file, { cacheDir: own });
    expect(given.modelPath).toBe(path.join(own, given.fingerprint, 'model.onnx'));

    fs.writeFileSync(textEncoderCacheDir(file), 'not a folder'); // mkdir of .perfusion-cache fails
    const userCache = tempDir();
    process.env.PERFUSION_CACHE_DIR = userCache;
    const fallback = await extendTextEncoderModel(file);
    expect(fallback.modelPath).toBe(path.join(userCache, 'text-encoder-patches', fallback.fingerprint, 'model.onnx'));

    const error = await extendTextEncoderModel(file, { cacheDir: path.join(textEncoderCacheDir(file), 'x') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEmbeddingCacheError);
    expect((error as Error).message).toMatch(/^cannot use .*\.perfusion-cache\/x as the extended-text-encoder cache \(ENOTDIR\); pass a writable cacheDir on the model's file system\.$/);
  });
});
