import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quickStart } from '../examples/quick-start.js';
import { readPng } from '../src/index.js';
import { tempDir, tinyModel } from './helpers/fixture.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the README example', () => {
  it('is the code of examples/quick-start.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(packageDir, 'examples/quick-start.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('tokenises, encodes, decodes and writes the PNG on the tiny fixture', async () => {
    const out = path.join(tempDir(), 'images', 'fox.png');
    const { prompt, conceptId, hidden, image, preview } = await quickStart(await tinyModel(), out);
    expect(prompt.ids).toHaveLength(77);
    expect(prompt.ids[0]).toBe(1278);
    expect(prompt.truncated).toBe(false);
    expect(conceptId).toBe(1280);
    expect(hidden.shape).toEqual([1, 77, 32]);
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(await readPng(out)).toEqual(image);
    expect([preview.width, preview.height, preview.data.length]).toEqual([8, 8, 8 * 8 * 3]);
  });
});
