import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ModelFolderError, REQUIRED_MODEL_FILES, loadPipeline, readModelFolder } from '@perfusion/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './support/helpers.js';

describe('model folders', () => {
  let scratch: string;
  let model: string;
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'perfusion-model-folder-'));
    model = await tinyModel();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A copy of the tiny fixture with some files removed or replaced. */
  function variant(name: string, edit: (dir: string) => void): string {
    const dir = path.join(scratch, name);
    cpSync(model, dir, { recursive: true, filter: (file) => !file.endsWith('.perfusion-cache') });
    edit(dir);
    return dir;
  }

  it('reads the configs and the request defaults', async () => {
    const info = await readModelFolder(model);
    expect(info).toMatchObject({
      modelDir: model,
      schedulerClassName: 'PNDMScheduler',
      defaultScheduler: 'pndm',
      vaeScaleFactor: 8,
      defaultWidth: 64,
      defaultHeight: 64,
    });
    expect(info.modelIndex['_class_name']).toBe('OnnxStableDiffusionPipeline');
  });

  for (const file of REQUIRED_MODEL_FILES) {
    it(`names a missing ${file}`, async () => {
      const dir = variant(file.replace(/\W/g, '_'), (d) => rmSync(path.join(d, file)));
      const error = await loadPipeline(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFolderError);
      expect((error as ModelFolderError).missing).toEqual([file]);
      expect((error as Error).message).toContain(`missing ${file}`);
      expect((error as Error).message).toContain(dir);
    });
  }

  it('says when the folder does not exist or is a file', async () => {
    const absent = path.join(scratch, 'absent');
    await expect(loadPipeline(absent)).rejects.toThrow(/absent is not a usable model folder: the folder does not exist/);
    const file = path.join(scratch, 'file.txt');
    writeFileSync(file, 'x');
    await expect(loadPipeline(file)).rejects.toThrow(/it is a file, not a folder/);
  });

  it('says which config is not valid JSON', async () => {
    const dir = variant('bad-index', (d) => writeFileSync(path.join(d, 'model_index.json'), '{ nope'));
    await expect(readModelFolder(dir)).rejects.toThrow(/model_index\.json is not valid JSON/);
  });

  it('takes a [height, width] sample_size, and 512 pixels without a unet config (as diffusers ONNX)', async () => {
    const pair = variant('pair', (d) => writeFileSync(path.join(d, 'unet', 'config.json'), JSON.stringify({ sample_size: [6, 10] })));
    expect(await readModelFolder(pair)).toMatchObject({ defaultWidth: 80, defaultHeight: 48 });
    const none = variant('none', (d) => rmSync(path.join(d, 'unet', 'config.json')));
    expect(await readModelFolder(none)).toMatchObject({ defaultWidth: 512, defaultHeight: 512 });
  });
});
