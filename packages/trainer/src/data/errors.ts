/**
 * Errors of the training-data side: finding, decoding and preparing the concept images. Every one
 * extends {@link TrainingDataError} (itself a {@link TrainerError}) and names the folder or file at
 * fault.
 */
import { TrainerError } from '../errors.js';
import { IMAGE_EXTENSIONS, MASK_SUFFIXES } from './file-kinds.js';

const accepted = IMAGE_EXTENSIONS.join(', ');

/** Base class of the training-data errors. */
export class TrainingDataError extends TrainerError {}

/** The training folder does not exist, or the path is not a folder. */
export class TrainingFolderError extends TrainingDataError {
  constructor(
    readonly folder: string,
    readonly reason: 'missing' | 'not-a-folder',
    options?: ErrorOptions,
  ) {
    super(
      reason === 'missing'
        ? `${folder}: the training folder does not exist; check the path (it should be a folder of ${accepted} images).`
        : `${folder}: this is a file, not a folder; give the folder that holds the training images instead.`,
      options,
    );
  }
}

/** The training folder holds no image with an accepted extension. */
export class NoTrainingImagesError extends TrainingDataError {
  constructor(
    readonly folder: string,
    /** Names of the visible files that were passed over (other extensions, masks). */
    readonly otherFiles: readonly string[],
  ) {
    const seen = otherFiles.length === 0 ? 'it is empty' : `it holds only ${listNames(otherFiles)}`;
    super(`${folder}: no training images found (${seen}); put ${accepted} files in it (the extension decides, case does not matter).`);
  }
}

/** A mask file has no image of the same stem beside it. */
export class OrphanMaskError extends TrainingDataError {
  constructor(
    readonly folder: string,
    readonly maskFiles: readonly string[],
  ) {
    super(
      `${folder}: ${listNames(maskFiles)} ${maskFiles.length === 1 ? 'is a mask' : 'are masks'} without an image: ` +
        `a mask <stem>${MASK_SUFFIXES[0]} belongs to the image <stem>.png, <stem>.jpg or <stem>.jpeg in the same folder; ` +
        'add the image or rename or remove the mask.',
    );
  }
}

/** A mask's stem matches several images, or an image has several masks, so the pairing is unclear. */
export class AmbiguousMaskError extends TrainingDataError {
  constructor(
    readonly folder: string,
    readonly stem: string,
    readonly images: readonly string[],
    readonly masks: readonly string[],
  ) {
    super(
      `${folder}: the mask pairing of "${stem}" is ambiguous (images: ${listNames(images)}; masks: ${listNames(masks)}); ` +
        'keep one image and at most one mask per stem, renaming the others.',
    );
  }
}

/** An image file cannot be read or decoded (missing, corrupt, truncated, not PNG or JPEG). */
export class UnreadableImageError extends TrainingDataError {
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: cannot read this image (${detail}); re-export or re-download it, or remove it from the training folder.`, options);
  }
}

/** An image has more pixels than the reader's limit, checked before decoding. */
export class ImageTooLargeError extends TrainingDataError {
  constructor(
    readonly file: string,
    readonly width: number,
    readonly height: number,
    readonly maxMegapixels: number,
  ) {
    super(
      `${file}: the image is ${width} × ${height} (${megapixels(width * height)} MP), more than the limit of ${maxMegapixels} MP; ` +
        'downscale it first (training crops and resizes to a few hundred pixels anyway) or raise maxMegapixels.',
    );
  }
}

/** A mask's size differs from its image's, so the same crop cannot apply to both. */
export class MaskSizeError extends TrainingDataError {
  constructor(
    readonly maskFile: string,
    readonly maskSize: readonly [width: number, height: number],
    readonly imageFile: string,
    readonly imageSize: readonly [width: number, height: number],
  ) {
    super(
      `${maskFile}: the mask is ${maskSize[0]} × ${maskSize[1]} but its image ${imageFile} is ${imageSize[0]} × ${imageSize[1]}; ` +
        'save the mask at the size of the image (after any EXIF rotation) so that both are cropped alike.',
    );
  }
}

/** An option of the data functions (resolution, latent factor, megapixel limit) is out of range. */
export class TrainingDataOptionError extends TrainingDataError {}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

function megapixels(pixels: number): string {
  return String(Number((pixels / 1e6).toPrecision(3)));
}
