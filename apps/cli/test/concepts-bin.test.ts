import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConcept } from '@perfusion/concept-format';
import { readPng } from '@perfusion/encoders';
import { ensureFixture } from '@perfusion/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultModel } from '../src/default-model.js';
import { runBin, tempDir, type RunResult } from './helpers/run-bin.js';

// Everything here runs `perfusion` as a child process on the toy default model. What a model's
// concepts need (its patched UNet, its covariance) is stored beside it, so the default model's may
// be there from an earlier run; where a test needs the first time (the covariance computed), it
// works on a fresh copy of the default model's folder instead (`--model`).
const root = tempDir('concepts');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const run = (args: readonly string[], cwd = root): Promise<RunResult> => runBin(args, { cwd });
const file = (name: string): string => path.join(root, name);
const bytes = (name: string): Buffer => fs.readFileSync(file(name));

/** A copy of the default model's folder without its caches: the same base model, nothing computed yet. */
async function freshCopyOfDefaultModel(name: string): Promise<string> {
  const { dir } = await ensureDefaultModel();
  const copy = file(name);
  fs.cpSync(dir, copy, { recursive: true, filter: (source) => path.basename(source) !== '.perfusion-cache' });
  return copy;
}

const CAT = file('my-cat.safetensors');
const DOG = file('my-dog.safetensors');
const PROMPT = 'a photo of <my-cat> on a beach';

/** Another model: the tiny test fixture, another architecture, so another base-model fingerprint, encoding width and layers. */
let otherModel: string;
beforeAll(async () => {
  otherModel = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
  const cat = await run(['concept', 'from-words', '--token', '<my-cat>', '--supercategory', 'cat', '--words', 'tabby cat', '--out', CAT]);
  expect(cat.code, cat.stderr).toBe(0);
  const dog = await run(['concept', 'from-words', '--token', '<my-dog>', '--supercategory', 'dog', '--words', 'small brown dog', '--out', DOG, '--dtype', 'float16']);
  expect(dog.code, dog.stderr).toBe(0);
  fs.writeFileSync(file('truncated.safetensors'), bytes('my-cat.safetensors').subarray(0, 600));
});

describe('perfusion concept from-words', () => {
  it('writes a valid concept atomically, prints its path on stdout and its size on stderr', async () => {
    const concept = await readConcept(CAT);
    expect(concept).toMatchObject({ token: '<my-cat>', supercategory: 'cat', dtype: 'float32', defaults: { beta: 0.7, tau: 0.15 } });
    expect(concept.training).toEqual({ method: 'from-words', words: 'tabby cat', template: 'a photo of a {}' });
    expect(concept.valueTargets.map((t) => t.width)).toEqual([32, 64, 128, 64, 64, 32, 32]); // the toy model's cross-attention layers
    expect((await readConcept(DOG)).dtype).toBe('float16');
    // The temporary file of the atomic write is gone.
    expect(fs.readdirSync(root).filter((f) => f.includes('my-cat'))).toEqual(['my-cat.safetensors']);

    const again = path.join(root, 'again', 'nested', 'cat.safetensors');
    const r = await run(['concept', 'from-words', '--token', '<my-cat>', '--supercategory', 'cat', '--words', 'tabby cat', '--out', again]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${again}\n`);
    const size = fs.statSync(again).size;
    expect(r.stderr).toContain(`wrote ${again}: ${size.toLocaleString('en-US')} bytes (float32); concept <my-cat> (supercategory cat, from "tabby cat"), 7 layers, beta 0.7, tau 0.15`);
    expect(fs.readFileSync(again)).toEqual(bytes('my-cat.safetensors')); // deterministic
  });

  it('names the file after the token by default', async () => {
    const cwd = fs.mkdtempSync(path.join(root, 'cwd-'));
    const r = await run(['concept', 'from-words', '--token', '<red-car>', '--supercategory', 'car', '--words', 'red sports car'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('red-car.safetensors\n');
    expect(fs.existsSync(path.join(cwd, 'red-car.safetensors'))).toBe(true);
  });

  it('exits 2 with the pipeline\'s message for a token of the vocabulary, 1 when the file cannot be written', async () => {
    // "a": a token of the toy vocabulary as it is spelt there (its whole words end in </w>).
    const known = await run(['concept', 'from-words', '--token', 'a', '--supercategory', 'cat', '--words', 'tabby cat', '--out', file('never.safetensors')]);
    expect(known.code).toBe(2);
    expect(known.stderr).toMatch(/^perfusion: conceptFromWords: cannot use "a" as the concept token: .*already in the vocabulary/m);
    expect(fs.existsSync(file('never.safetensors'))).toBe(false);

    fs.writeFileSync(file('a-file'), 'not a folder');
    const unwritable = await run(['concept', 'from-words', '--token', '<x>', '--supercategory', 'cat', '--words', 'cat', '--out', file('a-file/x.safetensors')]);
    expect(unwritable.code, unwritable.stderr).toBe(1);
    expect(unwritable.stderr).toMatch(/^perfusion: .*a-file/m);
  });
});

describe('perfusion inspect', () => {
  it('prints metadata, sizes, layers and compatibility with the default model', async () => {
    const r = await run(['inspect', CAT]);
    expect(r.code, r.stderr).toBe(0);
    const size = fs.statSync(CAT).size;
    const out = r.stdout;
    expect(out.split('\n')[0]).toBe(CAT);
    expect(out).toMatch(/^ {2}token +<my-cat>$/m);
    expect(out).toMatch(/^ {2}supercategory +cat$/m);
    expect(out).toMatch(/^ {2}format +perfusion-concept version 1, float32 \(4 bytes per value\)$/m);
    expect(out).toMatch(/^ {2}base model +unet-v1-L7-d64-W416-[0-9a-f]{32} \(model\)$/m);
    expect(out).toMatch(/^ {2}defaults +beta 0\.7, tau 0\.15$/m);
    expect(out).toMatch(/^ {2}training +method "from-words", words "tabby cat", template "a photo of a \{\}"$/m);
    expect(out).toMatch(new RegExp(`^ {2}sizes +file ${size.toLocaleString('en-US')} bytes: header [\\d,]+ bytes, tensor data 2,432 bytes$`, 'm'));
    expect(out).toMatch(/^ {2}values +608: value targets 416, i\* and i_super 64 each, word embedding 64$/m);
    expect(out).toMatch(/^ {2}layers +7 cross-attention layers \(name, width\):$/m);
    expect(out).toMatch(/^ {4}\/down_blocks\.0\/attentions\.0\/transformer_blocks\.0\/attn2 +32$/m);
    expect(out).toMatch(/^ {4}\/mid_block\/attentions\.0\/transformer_blocks\.0\/attn2 +128$/m);
    expect(out).toMatch(/^compatible with the default model .*toymodel\/model: same base model, layers and widths$/m);
  });

  it('prints one JSON object with --json', async () => {
    const r = await run(['inspect', DOG, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ token: '<my-dog>', supercategory: 'dog', dtype: 'float16', formatVersion: 1, compatible: true, compatibility: [] });
    expect(report.sizes).toEqual({ file: fs.statSync(DOG).size, header: expect.any(Number), data: 1216 });
    expect((report.layers as unknown[]).length).toBe(7);
    expect((report.model as { isDefault: boolean }).isDefault).toBe(true);
  });

  it('reports each problem with another model on its own line and exits 1', async () => {
    const r = await run(['inspect', CAT, '--model', otherModel]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^NOT compatible with ${otherModel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(base model unet-v1-L4-d32-W160-[0-9a-f]{32}\\): 7 problems$`, 'm'));
    const problems = r.stdout.split('\n').filter((l) => /^ {2}[a-z-]+: /.test(l));
    // Another fingerprint, text encoder and layers: each difference on its own line.
    const kinds = ['base-model', 'encoding-dim', 'embedding-dim', 'unexpected-layers', 'layer-width', 'layer-width', 'layer-width'];
    expect(problems.map((l) => /^ {2}([a-z-]+): /.exec(l)![1])).toEqual(kinds);
    expect(problems[0]).toMatch(/^ {2}base-model: .*my-cat\.safetensors: .*fingerprint/);

    const json = JSON.parse((await run(['inspect', CAT, '--model', otherModel, '--json'])).stdout) as { compatible: boolean; compatibility: { kind: string }[] };
    expect(json.compatible).toBe(false);
    expect(json.compatibility.map((p) => p.kind)).toEqual(kinds);
  });

  it('exits 2 with concept-format\'s message for a missing or broken file', async () => {
    const missing = await run(['inspect', file('nowhere.safetensors')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^perfusion: .*nowhere\.safetensors: file: could not read the file/m);

    const truncated = await run(['inspect', file('truncated.safetensors')]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/^perfusion: .*truncated\.safetensors: .*truncated/m);
    expect(truncated.stdout).toBe('');
  });
});

describe('perfusion generate --concept', () => {
  let model: string;
  /** A short generation of the same seed and settings every time, on the copy of the default model. */
  const generate = (out: string, ...extra: string[]) => run(['generate', PROMPT, '--model', model, '--seed', '5', '--steps', '3', '--scheduler', 'ddim', '--out', file(out), ...extra]);
  let plain: Buffer;
  let first: RunResult;
  beforeAll(async () => {
    model = await freshCopyOfDefaultModel('generate-model');
    // The first generation with a concept on this model computes the covariance.
    first = await generate('cat.png', '--concept', CAT);
    const p = await generate('plain.png');
    expect(p.code, p.stderr).toBe(0);
    plain = bytes('plain.png');
  });

  it('runs end to end, computing the covariance first (shown as preparing), and says which concept and gate it used', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${file('cat.png')}\n`);
    expect((await readPng(file('cat.png'))).width).toBe(64);
    expect(first.stderr).toMatch(/^concept <my-cat> \(supercategory cat\) from .*my-cat\.safetensors: beta 0\.7 \(file\), tau 0\.15 \(file\)$/m);
    expect(first.stderr).toMatch(/^preparing covariance 0\/5,000 captions +0% /m);
    expect(first.stderr).toMatch(/^preparing covariance 5,000\/5,000 captions 100% /m);
    expect(first.stderr).toMatch(/^covariance: 5,000 captions in [\d.]+ s$/m);
    // The covariance comes before the first step, and only the first time.
    expect(first.stderr.indexOf('covariance: 5,000')).toBeLessThan(first.stderr.indexOf('step 1/3'));
    const again = await generate('cat-again.png', '--concept', CAT);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('preparing');
    expect(bytes('cat-again.png')).toEqual(bytes('cat.png'));
    expect(bytes('cat.png')).not.toEqual(plain);
  });

  it('changes the image with beta and with tau, and the file defaults equal their explicit values', async () => {
    for (const [out, spec] of [
      ['beta-0.3.png', `${CAT}:0.3`],
      ['beta-2.png', `${CAT}:2.0`],
      ['tau-0.5.png', `${CAT}::0.5`],
      ['explicit.png', `${CAT}:0.7:0.15`],
    ] as const) {
      const r = await generate(out, '--concept', spec);
      expect(r.code, r.stderr).toBe(0);
    }
    const beta03 = bytes('beta-0.3.png');
    const beta2 = bytes('beta-2.png');
    const tau05 = bytes('tau-0.5.png');
    expect(beta03).not.toEqual(beta2);
    expect(beta03).not.toEqual(bytes('cat.png'));
    expect(beta2).not.toEqual(bytes('cat.png'));
    expect(tau05).not.toEqual(bytes('cat.png'));
    expect(bytes('explicit.png')).toEqual(bytes('cat.png'));
  });

  it('combines two concepts (sum, exact, global locking), each different from one alone', async () => {
    const prompt = 'a photo of <my-cat> and <my-dog> on a beach';
    const two = (out: string, ...extra: string[]) =>
      run(['generate', prompt, '--model', model, '--seed', '5', '--steps', '3', '--scheduler', 'ddim', '--out', file(out), '--concept', CAT, '--concept', `${DOG}:0.6`, ...extra]);
    const sum = await two('two-sum.png');
    expect(sum.code, sum.stderr).toBe(0);
    expect(sum.stderr).toMatch(/^concept <my-cat> \(supercategory cat\) .*: beta 0\.7 \(file\), tau 0\.15 \(file\)$/m);
    expect(sum.stderr).toMatch(/^concept <my-dog> \(supercategory dog\) .*my-dog\.safetensors: beta 0\.6, tau 0\.15 \(file\)$/m);
    expect(sum.stderr).toMatch(/^concepts: combined by sum$/m);
    const exact = await two('two-exact.png', '--multi-concept', 'exact');
    expect(exact.code, exact.stderr).toBe(0);
    expect(exact.stderr).toMatch(/^concepts: combined by exact$/m);
    const global = await two('two-global.png', '--global-locking');
    expect(global.code, global.stderr).toBe(0);
    expect(global.stderr).toMatch(/^concepts: combined by sum, global key locking$/m);
    const catOnly = await run(['generate', prompt, '--model', model, '--seed', '5', '--steps', '3', '--scheduler', 'ddim', '--out', file('cat-only.png'), '--concept', CAT]);
    expect(catOnly.code, catOnly.stderr).toBe(0);
    const images = ['two-sum.png', 'two-exact.png', 'two-global.png', 'cat-only.png'].map(bytes);
    for (let i = 0; i < images.length; i++) for (let j = i + 1; j < images.length; j++) expect(images[i]).not.toEqual(images[j]);
  });

  it('warns when the prompt does not mention the concept\'s token', async () => {
    const r = await run(['generate', 'a photo of a cat', '--model', model, '--seed', '1', '--steps', '1', '--scheduler', 'ddim', '--out', file('no-token.png'), '--concept', CAT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*<my-cat>/m);
  });

  it('refuses a concept made for another model, with concept-format\'s message, exit 2 and no image', async () => {
    const r = await run(['generate', PROMPT, '--model', otherModel, '--steps', '1', '--out', file('other.png'), '--concept', CAT]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^perfusion: .*my-cat\.safetensors: .*fingerprint/m);
    expect(fs.existsSync(file('other.png'))).toBe(false);
  });

  it('exits 2 before loading anything for a missing or malformed file and for bad beta/tau syntax', async () => {
    const missing = await generate('never.png', '--concept', file('nowhere.safetensors:0.5'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^perfusion: --concept .*nowhere\.safetensors: no such file\./m);
    expect(missing.stderr).not.toContain('model:');

    const broken = await generate('never.png', '--concept', file('truncated.safetensors'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^perfusion: .*truncated\.safetensors: /m);
    expect(broken.stderr).not.toContain('model:');

    for (const [spec, message] of [
      [`${CAT}:strong`, /BETA \(the gate's bias\) must be a number, got "strong"/],
      [`${CAT}:0.5:0`, /TAU \(the gate's temperature\) must be a number > 0, got "0"/],
      [`${CAT}:1:2:3`, /has 3 values after the file/],
    ] as const) {
      const r = await generate('never.png', '--concept', spec);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Run perfusion generate --help for usage\.\n$/);
    }
    expect(fs.existsSync(file('never.png'))).toBe(false);
  });
});

describe('perfusion covariance', () => {
  it('computes the covariance with progress, stores it, and reuses the cache the second time', async () => {
    // A copy of its own, so that this is the model's first covariance.
    const model = await freshCopyOfDefaultModel('covariance-model');
    const own = ['covariance', '--model', model];
    const firstRun = await run(own);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(/^covariance +computed now from 5,000 captions in [\d.]+ s$/m);
    const stored = /^stored in +(.+)$/m.exec(firstRun.stdout)?.[1];
    expect(path.dirname(stored!)).toBe(path.join(model, '.perfusion-cache')); // beside the model
    expect(path.basename(stored!)).toMatch(/^covariance-unet-v1-L7-d64-W416-[0-9a-f]{32}\.safetensors$/);
    expect(fs.existsSync(stored!)).toBe(true);
    expect(firstRun.stdout).toMatch(/^captions +5,000 \(builtin:5000:seed0\)$/m);
    expect(firstRun.stdout).toMatch(/^encodings +[\d,]+ token rows of width 64$/m);
    expect(firstRun.stderr).toMatch(/^preparing covariance 0\/5,000 captions/m);
    expect(firstRun.stderr).toMatch(/^covariance: 5,000 captions in [\d.]+ s$/m);
    const mtime = fs.statSync(stored!).mtimeMs;

    const second = await run(own);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^covariance +cached \(computed earlier\), read in [\d.]+ s; --recompute computes it again$/m);
    expect(second.stdout).toContain(`stored in   ${stored}\n`);
    expect(second.stderr).not.toContain('preparing');
    expect(fs.statSync(stored!).mtimeMs).toBe(mtime);

    const recomputed = await run([...own, '--recompute']);
    expect(recomputed.code, recomputed.stderr).toBe(0);
    expect(recomputed.stdout).toMatch(/^covariance +computed now from 5,000 captions/m);
    expect(recomputed.stderr).toMatch(/^covariance: 5,000 captions in/m);
  });

  it('exits 2 for a --model folder that does not exist', async () => {
    const r = await run(['covariance', '--model', file('nowhere')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--model .*nowhere: no such folder/);
    expect(r.stderr).toMatch(/Run perfusion covariance --help for usage\./);
  });
});
