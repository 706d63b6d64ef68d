import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MaskSizeError, NoTrainingImagesError, TrainingDataOptionError, UnreadableImageError } from '../src/data/errors.js';
import { loadTrainingImages } from '../src/data/load-training-images.js';
import { flipHorizontal, prepareImage } from '../src/data/prepare-image.js';
import { readTrainingImage } from '../src/data/read-training-image.js';
import { jpegBytes, paint, solid, tempFolder, writeFile } from './data-fixtures.js';

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A 12 × 8 image and its mask: white over columns 2..5, the left half of the centred 8 × 8 square. */
function maskedFolder(): string {
  const dir = tempFolder();
  writeFile(dir, 'a-cat.png', paint(12, 8, (x, y) => [x * 20, y * 30, 90]));
  writeFile(dir, 'a-cat.mask.png', paint(12, 8, (x) => (x >= 2 && x < 6 ? [255, 255, 255] : [0, 0, 0])));
  writeFile(dir, 'b-cat.jpg', jpegBytes(paint(16, 24, (x, y) => [200, x * 10, y * 10])));
  writeFile(dir, 'caption.txt', new TextEncoder().encode('a cat'));
  return dir;
}

describe('loadTrainingImages', () => {
  it('prepares every image of the folder, with masks on the latent grid and file hashes', async () => {
    const dir = maskedFolder();
    const set = await loadTrainingImages(dir, { resolution: 16 });

    expect(set).toMatchObject({ folder: dir, resolution: 16, latentSize: 2, ignored: ['caption.txt'] });
    expect(set.images.map((image) => image.name)).toEqual(['a-cat.png', 'b-cat.jpg']);
    const [cat, other] = set.images as [(typeof set.images)[0], (typeof set.images)[0]];
    expect(cat.sha256).toBe(sha256(path.join(dir, 'a-cat.png')));
    expect(cat.maskSha256).toBe(sha256(path.join(dir, 'a-cat.mask.png')));
    expect(cat.maskFile).toBe(path.join(dir, 'a-cat.mask.png'));
    expect(cat.variants).toHaveLength(1);
    expect(cat.variants[0]!.flipped).toBe(false);
    expect(cat.variants[0]!.image).toEqual(prepareImage(await readTrainingImage(path.join(dir, 'a-cat.png')), 16));
    // The 8 × 8 crop's mask is 1 in columns 0..3. Enlarged to 16 bilinearly, columns 7 and 8 fall
    // at x = 3.25 and 3.75, so 0.75 and 0.25; each latent cell averages 8 columns:
    // left (7 + 0.75) / 8 = 0.96875, right 0.25 / 8 = 0.03125, the same in both rows.
    expect([...cat.variants[0]!.mask!]).toEqual([0.96875, 0.03125, 0.96875, 0.03125]);
    expect(other).toMatchObject({ maskFile: undefined, maskSha256: undefined, sha256: sha256(path.join(dir, 'b-cat.jpg')) });
    expect(other.variants[0]!.mask).toBeUndefined();
    expect([other.variants[0]!.image.width, other.variants[0]!.image.height]).toEqual([16, 16]);
  });

  it('adds mirrored images and masks with flips, and gives the same result every time', async () => {
    const dir = maskedFolder();
    const set = await loadTrainingImages(dir, { resolution: 16, flips: true });
    for (const image of set.images) {
      expect(image.variants.map((variant) => variant.flipped)).toEqual([false, true]);
      expect(image.variants[1]!.image).toEqual(flipHorizontal(image.variants[0]!.image));
    }
    expect([...set.images[0]!.variants[1]!.mask!]).toEqual([0.03125, 0.96875, 0.03125, 0.96875]);
    expect(set.images[1]!.variants[1]!.mask).toBeUndefined();
    expect(await loadTrainingImages(dir, { resolution: 16, flips: true })).toEqual(set);
  });

  it('uses the latent factor it is given', async () => {
    const set = await loadTrainingImages(maskedFolder(), { resolution: 8, latentFactor: 4 });
    expect(set.latentSize).toBe(2);
    expect([...set.images[0]!.variants[0]!.mask!]).toEqual([1, 0, 1, 0]);
  });

  it('refuses a mask of another size than its image', async () => {
    const dir = tempFolder();
    writeFile(dir, 'cat.png', solid(12, 8, [1, 2, 3]));
    writeFile(dir, 'cat.mask.png', solid(8, 8, [255, 255, 255]));
    const error = await loadTrainingImages(dir, { resolution: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaskSizeError);
    expect((error as Error).message).toBe(
      `${path.join(dir, 'cat.mask.png')}: the mask is 8 × 8 but its image ${path.join(dir, 'cat.png')} is 12 × 8; ` +
        'save the mask at the size of the image (after any EXIF rotation) so that both are cropped alike.',
    );
  });

  it('passes on errors of the folder and of its files', async () => {
    await expect(loadTrainingImages(tempFolder(), { resolution: 8 })).rejects.toBeInstanceOf(NoTrainingImagesError);
    const dir = tempFolder();
    writeFile(dir, 'good.png', solid(4, 4, [0, 0, 0]));
    const bad = writeFile(dir, 'bad.jpg', jpegBytes(solid(16, 16, [9, 9, 9])).subarray(0, 100));
    await expect(loadTrainingImages(dir, { resolution: 8 })).rejects.toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read this image`));
    await expect(loadTrainingImages(dir, { resolution: 8 })).rejects.toBeInstanceOf(UnreadableImageError);
  });

  it('checks its options before touching the folder', async () => {
    const missing = path.join(tempFolder(), 'missing');
    await expect(loadTrainingImages(missing, { resolution: 100 })).rejects.toThrow('resolution 100 is not a multiple of the latent factor 8; choose a multiple of 8');
    await expect(loadTrainingImages(missing, { resolution: 0 })).rejects.toBeInstanceOf(TrainingDataOptionError);
    await expect(loadTrainingImages(missing, { resolution: 8, latentFactor: 0 })).rejects.toThrow('latentFactor must be a positive integer');
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(loadTrainingImages(maskedFolder(), { resolution: 8, signal: controller.signal })).rejects.toThrow('user cancelled');
  });
});
