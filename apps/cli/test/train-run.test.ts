import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConcept } from '@perfusion/concept-format';
import { readPng } from '@perfusion/encoders';
import { ensureFixture } from '@perfusion/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../src/exit-codes.js';
import { runCli } from '../src/cli.js';
import { REDRAW } from '../src/progress.js';
import { fakeIo } from './helpers/fake-io.js';
import { tempDir } from './helpers/run-bin.js';
import { shellWords } from './helpers/shell-words.js';
import { writeTrainingImages } from './helpers/training-images.js';

// `perfusion train` run in-process on the embedded default model (the toy model: 64×64, a fraction
// of a second a step), on synthetic photos, with a handful of steps. The supercategory is one of
// the toy world's shapes, words its vocabulary has whole.

const root = tempDir('train');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const photos = writeTrainingImages(path.join(root, 'photos'));
const FAST = ['--steps', '6', '--batch', '2', '--micro-batch', '2'];

/** `perfusion train` on the photos with `extra` options; resolves with the exit code and output. */
async function train(extra: readonly string[], options: { tty?: boolean; images?: string; token?: string; supercategory?: string; onStderr?: (text: string, interrupt: () => void) => void } = {}) {
  const fake = fakeIo({ tty: options.tty ?? false, ...(options.onStderr && { onStderr: options.onStderr }) });
  const argv = ['train', '--images', options.images ?? photos, '--token', options.token ?? '<my-toy>', '--supercategory', options.supercategory ?? 'star', ...extra];
  const code = await runCli(argv, fake.io);
  return { code, ...fake.output(), listeners: fake.listeners() };
}

function folder(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('perfusion train', () => {
  // One whole run with checkpoints and samples, which the tests below look at.
  const dir = folder('whole');
  const out = path.join(dir, 'my-toy.safetensors');
  const checkpoint = path.join(dir, 'my-toy.ckpt.safetensors');
  const samples = path.join(dir, 'samples');
  let whole: Awaited<ReturnType<typeof train>>;
  beforeAll(async () => {
    whole = await train([...FAST, '--out', out, '--checkpoint-every', '3', '--samples', samples, '--sample-every', '3']);
  });

  it('prints the concept file, the summary and how to use it on stdout', () => {
    expect(whole.code, whole.stderr).toBe(EXIT_OK);
    const [file, summary, hint, ...rest] = whole.stdout.split('\n');
    expect(file).toBe(out);
    expect(summary).toMatch(/^trained <my-toy> \(supercategory star\): 6 steps, final loss \d\.\d+ \(mean of the last 20 steps \d\.\d+\)$/); // four significant digits
    expect(hint).toBe(`try it: perfusion generate "a photo of <my-toy>" --concept ${out}`);
    expect(rest).toEqual(['']);
    expect(whole.listeners).toBe(0); // the Ctrl-C handler is removed afterwards
  });

  it('logs the settings, every step, the checkpoints and samples, and a summary on stderr', () => {
    const log = whole.stderr.split('\n');
    expect(log).toContain('training <my-toy> (supercategory star) on 3 images and their mirror images: 6 steps, batch 2 (micro-batch 2), 64x64, lr 0.03, embedding lr 0.006, seed 0');
    expect(log).toContainEqual(expect.stringMatching(/^latents: 6 images in [\d.]+ s$/));
    const steps = log.filter((l) => l.startsWith('step ')).map((l) => /^step (\d)\/6 loss \d\.\d+ \(this step \d\.\d+\) [\d.]+ it\/s ETA \d\d:\d\d$/.exec(l)?.[1]);
    expect(steps).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(log).toContain(`checkpoint at step 3: ${checkpoint}`);
    expect(log).toContain(`checkpoint at step 6: ${checkpoint}`);
    expect(log).toContain(`sample at step 3: ${path.join(samples, 'step-000003.png')}`);
    expect(log).toContainEqual(expect.stringMatching(/^done: 6 steps in [\d.]+ s, preparation included \([\d.]+ it\/s\)$/));
  });

  it('writes a concept file that loads, the checkpoint and the sample images', async () => {
    const concept = await readConcept(out);
    expect([concept.token, concept.supercategory, concept.training?.steps, concept.training?.masks]).toEqual(['<my-toy>', 'star', 6, 1]);
    expect(fs.existsSync(checkpoint)).toBe(true);
    expect(fs.readdirSync(samples).sort()).toEqual(['step-000003.png', 'step-000006.png']);
    expect((await readPng(path.join(samples, 'step-000003.png'))).width).toBe(64);
  });

  it('gives a concept that perfusion generate uses', async () => {
    const image = path.join(dir, 'toy.png');
    const generate = fakeIo({ tty: false });
    const code = await runCli(['generate', 'a photo of <my-toy> on a beach', '--concept', out, '--steps', '3', '--scheduler', 'ddim', '--seed', '1', '--out', image], generate.io);
    expect(code, generate.output().stderr).toBe(EXIT_OK);
    expect(generate.output().stderr).toMatch(/^concept <my-toy> \(supercategory star\) from /m);
    expect((await readPng(image)).width).toBe(64);
  });

  it('resumes from a checkpoint to the same concept, byte for byte, as the uninterrupted run', async () => {
    const resumeDir = folder('resume');
    const split = path.join(resumeDir, 'split.safetensors');
    const splitCheckpoint = path.join(resumeDir, 'split.ckpt.safetensors');
    const first = await train(['--steps', '4', '--batch', '2', '--micro-batch', '2', '--checkpoint-every', '2', '--out', split]);
    expect(first.code, first.stderr).toBe(EXIT_OK);

    // Another run's settings are refused, naming the difference.
    const other = await train([...FAST, '--seed', '5', '--out', split, '--force', '--resume', splitCheckpoint]);
    expect(other.code).toBe(EXIT_USAGE);
    expect(other.stderr).toMatch(/^perfusion: .*split\.ckpt\.safetensors was written by a run with other settings: seed \(0 there, 5 now\)/m);

    // The 4-step concept is there: replacing it needs --force.
    const second = await train([...FAST, '--out', split, '--force', '--resume', splitCheckpoint]);
    expect(second.code, second.stderr).toBe(EXIT_OK);
    expect(second.stderr).toContain(`resuming from ${splitCheckpoint} at step 4/6`);
    expect(second.stderr.split('\n').filter((l) => l.startsWith('step ')).map((l) => l.split(' ')[1])).toEqual(['5/6', '6/6']);
    expect(second.stdout.split('\n')[1]).toMatch(/: 6 steps, final loss/);
    expect(Buffer.compare(fs.readFileSync(split), fs.readFileSync(out))).toBe(0);
  });

  it('on a terminal draws a bar; Ctrl-C stops with exit 130, no concept, and a command that continues', async () => {
    const cancelDir = folder('cancel');
    const cancelled = path.join(cancelDir, 'c.safetensors');
    const r = await train(['--steps', '8', '--batch', '2', '--micro-batch', '2', '--checkpoint-every', '2', '--out', cancelled], {
      tty: true,
      onStderr: (text, interrupt) => {
        if (text.startsWith(`${REDRAW}step 3/8 `)) interrupt();
      },
    });
    expect(r.code, r.stderr).toBe(EXIT_INTERRUPTED);
    expect(r.stdout).toBe('');
    const bars = r.stderr.split(REDRAW).filter((part) => part.startsWith('step'));
    expect(bars.map((b) => /^step (\d)\/8 \|[█░]+\| +\d+% loss \d\.\d+ [\d.]+ it\/s ETA \d\d:\d\d/.exec(b)?.[1])).toEqual(['1', '2', '3']);
    expect(r.stderr).toMatch(/\ncancelling after the current model call \(Ctrl-C again to quit at once\)\.\.\.\n/);
    expect(r.stderr).toMatch(/^cancelled at step 3\/8; no concept written\.$/m);
    const cancelCheckpoint = path.join(cancelDir, 'c.ckpt.safetensors');
    expect(r.stderr).toContain(`the last checkpoint is ${cancelCheckpoint} (step 2); continue from it with:`);
    expect(fs.existsSync(cancelled)).toBe(false);

    const command = /^ {2}(perfusion train .*)$/m.exec(r.stderr)![1]!;
    const resumed = fakeIo({ tty: false });
    const code = await runCli(shellWords(command).slice(1), resumed.io);
    expect(code, resumed.output().stderr).toBe(EXIT_OK);
    expect(resumed.output().stderr).toContain('at step 2/8');
    expect((await readConcept(cancelled)).training?.steps).toBe(8);
  });
});

// Independent runs, each mostly loading the model: run side by side.
describe.concurrent('perfusion train: bad input exits 2 and names the problem', () => {
  it('refuses to overwrite a concept file or an earlier checkpoint without --force (before loading the model; the resume test uses --force)', async () => {
    const dir = folder('existing');
    const out = path.join(dir, 'c.safetensors');
    fs.writeFileSync(out, 'an earlier concept');
    const r = await train(['--out', out]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toBe(`perfusion: ${out} already exists; pass --force to replace it when training ends, or choose another --out.\nRun perfusion train --help for usage.\n`);

    const fresh = path.join(dir, 'd.safetensors');
    fs.writeFileSync(path.join(dir, 'd.ckpt.safetensors'), 'an earlier run');
    const c = await train(['--out', fresh]);
    expect(c.code).toBe(EXIT_USAGE);
    expect(c.stderr).toMatch(/the checkpoint file .*d\.ckpt\.safetensors already exists \(an earlier run's\?\); continue that run with --resume .*d\.ckpt\.safetensors, start afresh over it with --force/);

    const same = await train(['--out', fresh, '--checkpoint', fresh]);
    expect(same.stderr).toMatch(/--checkpoint and --out name the same file/);
  });

  it.each([
    ['a missing image folder', { images: 'no/such/folder' }, /^perfusion: --images no\/such\/folder: no such folder\./],
    ['a missing checkpoint', { extra: ['--resume', 'nowhere.ckpt.safetensors'] }, /^perfusion: --resume nowhere\.ckpt\.safetensors: no such file\./],
    ['a bad number', { extra: ['--lr', '0'] }, /^perfusion: --lr must be a number > 0, got "0"\.\nRun perfusion train --help for usage\.\n$/],
  ])('%s (before loading the model)', async (_what, options: { images?: string; extra?: string[] }, message) => {
    const r = await train(options.extra ?? [], options.images !== undefined ? { images: options.images } : {});
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(message);
  });

  it('a folder without images, or with an unreadable one', async () => {
    const empty = folder('empty');
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'no photos here');
    const none = await train(FAST, { images: empty });
    expect(none.code).toBe(EXIT_USAGE);
    expect(none.stderr).toMatch(/^perfusion: .*empty: no training images found \(it holds only notes\.txt\)/m);

    const broken = folder('broken');
    writeTrainingImages(broken, 1);
    fs.writeFileSync(path.join(broken, 'torn.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not the rest of a PNG'));
    const unreadable = await train(FAST, { images: broken });
    expect(unreadable.code).toBe(EXIT_USAGE);
    expect(unreadable.stderr).toMatch(/^perfusion: .*torn\.png: cannot read this image/m);
  });

  it('a token the vocabulary already has, and a supercategory it does not', async () => {
    const token = await train(FAST, { token: 'star' });
    expect(token.code).toBe(EXIT_USAGE);
    expect(token.stderr).toMatch(/^perfusion: The concept token "star" .*already in the vocabulary/m);

    const supercategory = await train(FAST, { supercategory: 'qzxvwk' });
    expect(supercategory.code).toBe(EXIT_USAGE);
    expect(supercategory.stderr).toMatch(/^perfusion: The supercategory "qzxvwk" is not a single known word or phrase/m);
  });

  it('a model without cross-attention', async () => {
    // The tiny test model with its VAE decoder in place of the UNet: no encoder_hidden_states at all.
    const tiny = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
    const model = path.join(root, 'no-cross-attention');
    fs.cpSync(tiny, model, { recursive: true, filter: (source) => path.basename(source) !== '.perfusion-cache' });
    fs.copyFileSync(path.join(tiny, 'vae_decoder', 'model.onnx'), path.join(model, 'unet', 'model.onnx'));
    const r = await train([...FAST, '--model', model]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toMatch(/^perfusion: .*unet\/model\.onnx: no cross-attention found: the graph has no input 'encoder_hidden_states'/m);
  });
});
