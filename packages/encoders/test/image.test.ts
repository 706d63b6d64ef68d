import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import { createRgbImage, decodePng, encodePng, ImageError, imageFromTensor, readPng, tensorFromImages, upscaleNearest, writePng, type RgbImage } from '../src/index.js';
import { tempDir } from './helpers/fixture.js';
import { handMadePng } from './helpers/png-bytes.js';

const rgb = (width: number, height: number, values: number[]): RgbImage => createRgbImage(width, height, Uint8Array.from(values));

describe('PNG', () => {
  it('encodes 8-bit RGB PNGs that decode to the same pixels', () => {
    const image = rgb(3, 2, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 0, 0, 0, 255, 255, 255]);
    const bytes = encodePng(image);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width 3, height 2, bit depth 8, colour type 2 (RGB).
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect([view.getUint32(16), view.getUint32(20), bytes[24], bytes[25]]).toEqual([3, 2, 8, 2]);
    const back = decodePng(bytes);
    expect([back.width, back.height, [...back.data]]).toEqual([3, 2, [...image.data]]);
  });

  it('reads grey, grey + alpha, palette, RGBA and 16-bit PNGs as RGB (alpha dropped, like PIL’s convert("RGB"))', () => {
    const grey = decodePng(handMadePng({ width: 3, height: 1, colorType: 0, bitDepth: 8, rows: [Uint8Array.of(0, 128, 255)] }));
    expect([...grey.data]).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
    const greyAlpha = decodePng(handMadePng({ width: 2, height: 1, colorType: 4, bitDepth: 8, rows: [Uint8Array.of(50, 0, 200, 255)] }));
    expect([...greyAlpha.data]).toEqual([50, 50, 50, 200, 200, 200]);
    const rgba = decodePng(handMadePng({ width: 2, height: 1, colorType: 6, bitDepth: 8, rows: [Uint8Array.of(1, 2, 3, 0, 4, 5, 6, 128)] }));
    expect([...rgba.data]).toEqual([1, 2, 3, 4, 5, 6]);
    const palette = decodePng(handMadePng({ width: 3, height: 1, colorType: 3, bitDepth: 8, rows: [Uint8Array.of(2, 0, 1)], palette: [[9, 8, 7], [6, 5, 4], [3, 2, 1]] }));
    expect([...palette.data]).toEqual([3, 2, 1, 9, 8, 7, 6, 5, 4]);
    // 16-bit samples k·257 are exactly k in 8 bits.
    const wide = decodePng(handMadePng({ width: 1, height: 2, colorType: 2, bitDepth: 16, rows: [Uint8Array.of(0x80, 0x80, 0xff, 0xff, 0, 0), Uint8Array.of(0x01, 0x01, 0x02, 0x02, 0x03, 0x03)] }));
    expect([wide.width, wide.height, [...wide.data]]).toEqual([1, 2, [128, 255, 0, 1, 2, 3]]);
  });

  it('reports unreadable bytes with their source', () => {
    expect(() => decodePng(Uint8Array.of(1, 2, 3), 'upload.png')).toThrow(ImageError);
    expect(() => decodePng(Uint8Array.of(1, 2, 3), 'upload.png')).toThrow(/^upload\.png is not a readable PNG/);
  });

  it('writes files atomically (no temporary file left, folders created) and reads them back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'out', 'image.png');
    const image = rgb(2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await writePng(file, image);
    await writePng(file, rgb(1, 1, [7, 7, 7])); // replaces it whole
    expect(fs.readdirSync(path.dirname(file))).toEqual(['image.png']);
    expect(await readPng(file)).toEqual({ width: 1, height: 1, data: Uint8Array.of(7, 7, 7) });
    // A target that cannot be replaced (a folder) fails without leaving a temporary file.
    fs.mkdirSync(path.join(dir, 'taken.png'));
    await expect(writePng(path.join(dir, 'taken.png'), image)).rejects.toThrow(ImageError);
    expect(fs.readdirSync(dir).sort()).toEqual(['out', 'taken.png']);
    await expect(readPng(path.join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: the file does not exist/);
  });

  it('refuses malformed images', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) })).toThrow(/a 2 × 2 RGB image needs 12 bytes \(3 per pixel\), but data has 11/);
    expect(() => createRgbImage(0, 1)).toThrow(/positive integers/);
  });
});

describe('tensor ⇄ image', () => {
  it('maps [-1, 1] to 0..255 as diffusers does: clip(x / 2 + 0.5) · 255, rounded half to even', () => {
    // One image, 1 × 4 pixels: channel planes R, G, B.
    const t = new Tensor('float32', Float32Array.from([-1, 0, 1, 2, -3, NaN, 0.5, -0.5, 0, 0, 0, 0]), [1, 3, 1, 4]);
    const image = imageFromTensor(t);
    expect([image.width, image.height]).toEqual([4, 1]);
    // R: -1 → 0, 0 → 127.5 → 128 (even), 1 → 255, 2 → 255 (clipped); G: -3 → 0, NaN → 0, 0.5 → 191.25 → 191, -0.5 → 63.75 → 64.
    expect([...image.data]).toEqual([0, 0, 128, 128, 0, 128, 255, 191, 128, 255, 64, 128]);
  });

  it('picks one image of a batch and checks the tensor', () => {
    const t = new Tensor('float32', Float32Array.from([...new Array<number>(3).fill(-1), ...new Array<number>(3).fill(1)]), [2, 3, 1, 1]);
    expect([...imageFromTensor(t, 1).data]).toEqual([255, 255, 255]);
    expect(() => imageFromTensor(t, 2)).toThrow(/index 2 is outside the batch of 2 images/);
    expect(() => imageFromTensor(Tensor.zeros('float32', [1, 4, 2, 2]))).toThrow(/expected a float32 \[B, 3, H, W\] tensor, got float32\[1, 4, 2, 2\]/);
  });

  it('turns images into a [B, 3, H, W] tensor in [-1, 1] that maps back to the same bytes', () => {
    const values = Array.from({ length: 256 * 3 }, (_, i) => i % 256);
    const a = rgb(256, 1, values);
    const b = rgb(256, 1, values.map((v) => 255 - v));
    const t = tensorFromImages([a, b]);
    expect(t.shape).toEqual([2, 3, 1, 256]);
    // Pixel 0 of image a is (0, 1, 2): R plane starts with 0 → -1, G plane with 1, B plane with 2.
    expect([t.data[0], t.data[256], t.data[512]]).toEqual([-1, Math.fround(Math.fround(2 * Math.fround(1 / 255)) - 1), Math.fround(Math.fround(2 * Math.fround(2 / 255)) - 1)]);
    expect(t.data[3 * 256 + 0]).toBe(1); // image b, R of pixel 0 is 255
    expect(imageFromTensor(t, 0)).toEqual(a);
    expect(imageFromTensor(t, 1)).toEqual(b);
    expect(() => tensorFromImages([a, rgb(1, 1, [0, 0, 0])])).toThrow(/images\[1\] is 1 × 1 but images\[0\] is 256 × 1/);
    expect(() => tensorFromImages([])).toThrow(/at least one image/);
  });

  it('upscales by repeating pixels', () => {
    const big = upscaleNearest(rgb(2, 1, [1, 2, 3, 4, 5, 6]), 2);
    expect([big.width, big.height, [...big.data]]).toEqual([4, 2, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]]);
  });
});
