import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainerError } from '../src/errors.js';
import { AmbiguousMaskError, NoTrainingImagesError, OrphanMaskError, TrainingDataError, TrainingFolderError } from '../src/data/errors.js';
import { fileKind } from '../src/data/file-kinds.js';
import { listTrainingImages } from '../src/data/list-training-images.js';
import { jpegBytes, solid, tempFolder, writeFile } from './data-fixtures.js';

const grey = solid(4, 4, [128, 128, 128]);

describe('fileKind', () => {
  it('tells images from masks by extension, any case, and pairs them by stem', () => {
    expect(fileKind('cat.png')).toEqual({ kind: 'image', stem: 'cat' });
    expect(fileKind('IMG_0001.JPG')).toEqual({ kind: 'image', stem: 'IMG_0001' });
    expect(fileKind('a.b.jpeg')).toEqual({ kind: 'image', stem: 'a.b' });
    expect(fileKind('cat.mask.png')).toEqual({ kind: 'mask', stem: 'cat' });
    expect(fileKind('IMG_0001.MASK.Jpg')).toEqual({ kind: 'mask', stem: 'IMG_0001' });
    expect(fileKind('mask.png')).toEqual({ kind: 'image', stem: 'mask' });
    expect(fileKind('cat.webp')).toBeUndefined();
    expect(fileKind('caption.txt')).toBeUndefined();
    expect(fileKind('.hidden.png')).toBeUndefined();
  });
});

describe('listTrainingImages', () => {
  it('lists PNG and JPEG files sorted by name, pairs masks, skips hidden files and subfolders', async () => {
    const dir = tempFolder();
    for (const name of ['b.png', 'a.JPG', 'C.jpeg', 'a.mask.png', '.DS_Store', '._b.png']) writeFile(dir, name, name.endsWith('G') ? jpegBytes(grey) : grey);
    writeFile(dir, 'notes.txt', new TextEncoder().encode('a photo of a cat'));
    writeFile(dir, 'd.webp', new Uint8Array([1, 2, 3]));
    fs.mkdirSync(path.join(dir, 'sub.png'));
    fs.symlinkSync(path.join(dir, 'b.png'), path.join(dir, 'linked.png'));
    fs.symlinkSync(path.join(dir, 'gone.png'), path.join(dir, 'dangling.png'));

    const listing = await listTrainingImages(dir);

    expect(listing.folder).toBe(path.resolve(dir));
    // Code-unit order: upper case before lower case, whatever the locale.
    expect(listing.images.map((image) => image.name)).toEqual(['C.jpeg', 'a.JPG', 'b.png', 'linked.png']);
    expect(listing.images.map((image) => image.file)).toEqual(listing.images.map((image) => path.join(dir, image.name)));
    expect(listing.images.map((image) => image.maskFile)).toEqual([undefined, path.join(dir, 'a.mask.png'), undefined, undefined]);
    expect(listing.ignored).toEqual(['d.webp', 'notes.txt']);
  });

  it('refuses a missing folder and a file given as the folder', async () => {
    const dir = tempFolder();
    const missing = path.join(dir, 'nope');
    const error = await listTrainingImages(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingFolderError);
    expect(error).toBeInstanceOf(TrainingDataError);
    expect(error).toBeInstanceOf(TrainerError);
    expect(error).toMatchObject({ name: 'TrainingFolderError', folder: missing, reason: 'missing' });
    expect((error as Error).message).toContain(`${missing}: the training folder does not exist`);

    const file = writeFile(dir, 'one.png', grey);
    await expect(listTrainingImages(file)).rejects.toThrow(new TrainingFolderError(file, 'not-a-folder').message);
  });

  it('refuses a folder without images, saying which extensions count', async () => {
    const dir = tempFolder();
    await expect(listTrainingImages(dir)).rejects.toThrow(`${dir}: no training images found (it is empty); put .png, .jpg, .jpeg files in it`);
    writeFile(dir, 'cat.webp', new Uint8Array([0]));
    writeFile(dir, 'cat.mask.png', grey);
    const error = await listTrainingImages(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoTrainingImagesError);
    expect(error).toMatchObject({ otherFiles: ['cat.mask.png', 'cat.webp'] });
    expect((error as Error).message).toContain('it holds only cat.mask.png, cat.webp');
  });

  it('refuses masks without their image', async () => {
    const dir = tempFolder();
    writeFile(dir, 'cat.png', grey);
    writeFile(dir, 'dog.mask.png', grey);
    writeFile(dir, 'Cat.mask.jpg', jpegBytes(grey));
    const error = await listTrainingImages(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrphanMaskError);
    expect(error).toMatchObject({ maskFiles: ['Cat.mask.jpg', 'dog.mask.png'] });
    expect((error as Error).message).toMatch(/Cat\.mask\.jpg, dog\.mask\.png are masks without an image: a mask <stem>\.mask\.png belongs to the image <stem>\.png/);
  });

  it('refuses a mask whose image is ambiguous, and two masks for one image', async () => {
    const dir = tempFolder();
    writeFile(dir, 'cat.png', grey);
    writeFile(dir, 'cat.jpg', jpegBytes(grey));
    // Two images of one stem are fine while no mask refers to them.
    expect((await listTrainingImages(dir)).images.map((image) => image.name)).toEqual(['cat.jpg', 'cat.png']);
    writeFile(dir, 'cat.mask.png', grey);
    await expect(listTrainingImages(dir)).rejects.toThrow(new AmbiguousMaskError(path.resolve(dir), 'cat', ['cat.jpg', 'cat.png'], ['cat.mask.png']).message);

    const other = tempFolder();
    writeFile(other, 'dog.png', grey);
    writeFile(other, 'dog.mask.png', grey);
    writeFile(other, 'dog.mask.jpeg', jpegBytes(grey));
    await expect(listTrainingImages(other)).rejects.toThrow(/"dog" is ambiguous \(images: dog\.png; masks: dog\.mask\.jpeg, dog\.mask\.png\)/);
  });
});
