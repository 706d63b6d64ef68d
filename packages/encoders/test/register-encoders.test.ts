import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSessionCount, SessionCreateError } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { container, inject, injectable } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import {
  ClipTokenizer,
  LinearLatentPreview,
  PREVIEW_DECODER,
  registerEncoders,
  TEXT_ENCODER,
  TextEncoder,
  TOKENIZER,
  VAE_DECODER,
  VAE_ENCODER,
  VaeDecoder,
  VaeEncoder,
  type PreviewDecoder,
} from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';

/** A consumer written the way pipeline code is: explicit @inject on every constructor parameter. */
@injectable()
class PromptEncoder {
  constructor(
    @inject(TOKENIZER) readonly tokenizer: ClipTokenizer,
    @inject(TEXT_ENCODER) readonly textEncoder: TextEncoder,
  ) {}

  encode(prompt: string) {
    return this.textEncoder.encode([this.tokenizer.encode(prompt).ids]);
  }
}

async function releaseAll(c: typeof container): Promise<void> {
  await c.resolve(TEXT_ENCODER).release();
  await c.resolve(VAE_DECODER).release();
  if (c.isRegistered(VAE_ENCODER)) await c.resolve(VAE_ENCODER).release();
}

describe('registerEncoders', () => {
  it('registers the tokenizer, sessions and SD 1.x preview of a model folder in a child container', async () => {
    const child = container.createChildContainer();
    await registerEncoders(child, { modelDir: await tinyModel() });
    try {
      expect(child.resolve(TOKENIZER)).toBeInstanceOf(ClipTokenizer);
      expect(child.resolve(TEXT_ENCODER)).toBeInstanceOf(TextEncoder);
      expect(child.resolve(VAE_DECODER)).toBeInstanceOf(VaeDecoder);
      expect(child.isRegistered(VAE_ENCODER)).toBe(false);
      expect(child.resolve(PREVIEW_DECODER)).toBe(LinearLatentPreview.SD1);
      // Values, not factories: every resolve gives the same session.
      expect(child.resolve(TEXT_ENCODER)).toBe(child.resolve(TEXT_ENCODER));
      // Nothing leaked into the parent.
      expect(container.isRegistered(TOKENIZER)).toBe(false);
      const hidden = await child.resolve(PromptEncoder).encode('a photo of a cat');
      expect(hidden.shape).toEqual([1, 77, 32]);
    } finally {
      await releaseAll(child);
    }
  });

  it('adds the VAE encoder when asked, and a preview fitted to the model’s VAE', async () => {
    const child = container.createChildContainer();
    await registerEncoders(child, { modelDir: await tinyModel('float16'), withVaeEncoder: true, preview: 'fit', session: { intraOpNumThreads: 1 } });
    try {
      expect(child.resolve(VAE_ENCODER)).toBeInstanceOf(VaeEncoder);
      const preview = child.resolve<PreviewDecoder>(PREVIEW_DECODER);
      expect(preview).toBeInstanceOf(LinearLatentPreview);
      expect(preview).not.toBe(LinearLatentPreview.SD1);
      // The default fit is seeded: the same map every time.
      const again = await LinearLatentPreview.fit(child.resolve(VAE_DECODER), new Rng(0));
      expect((preview as LinearLatentPreview).weights).toEqual(again.weights);
    } finally {
      await releaseAll(child);
    }
  });

  it('releases what it created and registers nothing when a component fails to load', async () => {
    const dir = path.join(tempDir(), 'model');
    copyFixture(await tinyModel(), dir);
    fs.rmSync(path.join(dir, 'vae_decoder', 'model.onnx'));
    const before = openSessionCount();
    const child = container.createChildContainer();
    const error = await registerEncoders(child, { modelDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCreateError);
    expect((error as Error).message).toContain(path.join(dir, 'vae_decoder', 'model.onnx'));
    expect(openSessionCount()).toBe(before);
    expect(child.isRegistered(TOKENIZER)).toBe(false);
  });
});
