import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphBuilder, writeModelSync } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { EncoderInputError, readScalingFactor, SD1_SCALING_FACTOR, VaeDecoder, VaeEncoder } from '../src/index.js';
import { copyFixture, tempDir, tinyModel } from './helpers/fixture.js';
import { maxAbsDiff, ort, runRaw } from './helpers/ort.js';

function randomLatents(seed: number, shape: number[]): Tensor<'float32'> {
  return new Tensor('float32', new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

/** A copy of the fixture's `component` folder whose config.json is replaced by `config(original)`. */
async function withConfig(component: string, config: (original: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const dir = path.join(tempDir(), component);
  copyFixture(path.join(await tinyModel(), component), dir);
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)));
  return dir;
}

describe('VaeDecoder', () => {
  it('divides by the config’s scaling factor and runs the model: the same as onnxruntime on latents / 0.18215', async () => {
    const dir = path.join(await tinyModel(), 'vae_decoder');
    const decoder = await VaeDecoder.create(dir);
    try {
      expect([decoder.scalingFactor, decoder.scalingFactorSource, decoder.latentChannels]).toEqual([0.18215, 'config', 4]);
      const latents = randomLatents(1, [2, 4, 8, 8]);
      const image = await decoder.decode(latents);
      expect(image.dtype).toBe('float32');
      expect(image.shape).toEqual([2, 3, 64, 64]);
      const scaled = latents.data.map((v) => v / 0.18215);
      const raw = await runRaw(path.join(dir, 'model.onnx'), { latent_sample: new ort.Tensor('float32', scaled, [2, 4, 8, 8]) }, 'sample');
      expect([...image.data]).toEqual([...raw.data]);
      // Also accepts the .onnx path itself, with the config beside it.
      const byFile = await VaeDecoder.create(path.join(dir, 'model.onnx'));
      expect(byFile.scalingFactor).toBe(0.18215);
      await byFile.release();
    } finally {
      await decoder.release();
    }
  });

  it('uses a config’s other scaling factor, and SD 1.x’s 0.18215 when the config has none', async () => {
    const latents = randomLatents(2, [1, 4, 8, 8]);
    const half = await VaeDecoder.create(await withConfig('vae_decoder', (c) => ({ ...c, scaling_factor: 0.5 })));
    const none = await VaeDecoder.create(await withConfig('vae_decoder', ({ scaling_factor: _drop, ...c }) => c));
    const reference = await VaeDecoder.create(path.join(await tinyModel(), 'vae_decoder'));
    try {
      expect([half.scalingFactor, half.scalingFactorSource]).toEqual([0.5, 'config']);
      expect([none.scalingFactor, none.scalingFactorSource]).toEqual([SD1_SCALING_FACTOR, 'default']);
      // With factor 0.5 the model is fed latents / 0.5.
      const raw = await runRaw(path.join(await tinyModel(), 'vae_decoder', 'model.onnx'), { latent_sample: new ort.Tensor('float32', latents.data.map((v) => v / 0.5), [1, 4, 8, 8]) }, 'sample');
      expect([...(await half.decode(latents)).data]).toEqual([...raw.data]);
      expect([...(await none.decode(latents)).data]).toEqual([...(await reference.decode(latents)).data]);
    } finally {
      await Promise.all([half.release(), none.release(), reference.release()]);
    }
  });

  it('readScalingFactor reads a VAE folder’s factor as the sessions do, without a session', async () => {
    expect(await readScalingFactor(await withConfig('vae_decoder', (c) => ({ ...c, scaling_factor: 0.5 })))).toEqual({ value: 0.5, source: 'config' });
    expect(await readScalingFactor(await withConfig('vae_decoder', ({ scaling_factor: _drop, ...c }) => c))).toEqual({ value: SD1_SCALING_FACTOR, source: 'default' });
    await expect(readScalingFactor(await withConfig('vae_decoder', (c) => ({ ...c, scaling_factor: -1 })))).rejects.toThrow(/scaling_factor/);
  });

  it('casts for the fp16 model and returns float32 close to the fp32 model', async () => {
    const [d16, d32] = await Promise.all([VaeDecoder.create(path.join(await tinyModel('float16'), 'vae_decoder')), VaeDecoder.create(path.join(await tinyModel(), 'vae_decoder'))]);
    try {
      const latents = randomLatents(3, [1, 4, 8, 8]);
      const [image16, image32] = [await d16.decode(latents), await d32.decode(latents)];
      expect(image16.dtype).toBe('float32');
      expect(image16.data.every(Number.isFinite)).toBe(true);
      expect(maxAbsDiff(image16.data, image32.data)).toBeLessThan(0.01);
    } finally {
      await Promise.all([d16.release(), d32.release()]);
    }
  });

  it('rejects latents of the wrong shape or dtype', async () => {
    const decoder = await VaeDecoder.create(path.join(await tinyModel(), 'vae_decoder'));
    try {
      await expect(decoder.decode(randomLatents(1, [1, 3, 8, 8]))).rejects.toThrow(EncoderInputError);
      await expect(decoder.decode(randomLatents(1, [4, 8, 8]))).rejects.toThrow(/expected float32 latents \[B, 4, h, w\], got float32\[4, 8, 8\]/);
    } finally {
      await decoder.release();
    }
  });
});

describe('VaeEncoder', () => {
  it('returns the model’s latent_sample × scaling factor, in float32 for the fp16 model too', async () => {
    const dir = path.join(await tinyModel(), 'vae_encoder');
    const [encoder, encoder16] = await Promise.all([VaeEncoder.create(dir), VaeEncoder.create(path.join(await tinyModel('float16'), 'vae_encoder'))]);
    try {
      const images = new Tensor('float32', new Rng(4).fillUniform(new Float32Array(2 * 3 * 64 * 64), -1, 1), [2, 3, 64, 64]);
      const latents = await encoder.encode(images);
      expect(latents.shape).toEqual([2, 4, 8, 8]);
      const raw = await runRaw(path.join(dir, 'model.onnx'), { sample: new ort.Tensor('float32', images.data, images.shape) }, 'latent_sample');
      expect([...latents.data]).toEqual([...(raw.data as Float32Array)].map((v) => Math.fround(v * 0.18215)));
      const latents16 = await encoder16.encode(images);
      expect(latents16.dtype).toBe('float32');
      expect(maxAbsDiff(latents16.data, latents.data)).toBeLessThan(0.01);
    } finally {
      await Promise.all([encoder.release(), encoder16.release()]);
    }
  });

  it('takes the mean of exports that return latent_parameters (mean and log-variance)', async () => {
    // sample [B, 3, 16, 16] → an 8×8 stride-8 convolution to 8 channels: 4 of "mean", 4 of "log-variance".
    const weights = new Rng(6).fillNormal(new Float32Array(8 * 3 * 8 * 8));
    const b = new GraphBuilder({ name: 'vae_encoder' });
    const sample = b.input('sample', 'float32', ['batch', 3, 'height', 'width']);
    const conv = b.conv(sample, b.parameter('weight', [8, 3, 8, 8], weights), undefined, { strides: [8, 8] });
    b.output(conv, 'latent_parameters', 'float32', ['batch', 8, 'h', 'w']);
    const dir = path.join(tempDir(), 'vae_encoder');
    writeModelSync(b.build(), path.join(dir, 'model.onnx'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ scaling_factor: 0.25 }));

    const encoder = await VaeEncoder.create(dir);
    try {
      const images = new Tensor('float32', new Rng(7).fillUniform(new Float32Array(3 * 16 * 16), -1, 1), [1, 3, 16, 16]);
      const latents = await encoder.encode(images);
      expect(latents.shape).toEqual([1, 4, 2, 2]);
      const raw = (await runRaw(path.join(dir, 'model.onnx'), { sample: new ort.Tensor('float32', images.data, images.shape) }, 'latent_parameters')).data as Float32Array;
      expect([...latents.data]).toEqual([...raw.subarray(0, 16)].map((v) => Math.fround(v * 0.25)));
    } finally {
      await encoder.release();
    }
  });

  it('rejects images that are not [B, 3, H, W] float32', async () => {
    const encoder = await VaeEncoder.create(path.join(await tinyModel(), 'vae_encoder'));
    try {
      await expect(encoder.encode(Tensor.zeros('float32', [1, 4, 64, 64]))).rejects.toThrow(/expected float32 images \[B, 3, H, W\] in \[-1, 1\], got float32\[1, 4, 64, 64\]/);
    } finally {
      await encoder.release();
    }
  });
});

