import * as path from 'node:path';
import { PatchedModelCacheError } from '../errors.js';
import { isExternalTensor, setExternalData } from '../external-data/info.js';
import { linkOrCopyFile } from '../external-data/link-file.js';
import { relocateExternalData, type RelocationAction } from '../external-data/relocate.js';
import type { ModelProto, TensorProto } from '../gen/onnx_pb.js';
import { rawDataOffsetIn } from '../tensor-payload.js';
import type { SourceModel } from './source-model.js';

/** Inline initializers at least this large are referenced in place rather than rewritten (ONNX's usual external-data threshold). */
export const INLINE_REFERENCE_MIN_BYTES = 1024;

/** One weight file of a cache entry and how it got there. */
export interface PlacedWeights {
  /** Its location, relative to the entry (POSIX form). */
  readonly location: string;
  readonly action: RelocationAction;
}

/** Options of {@link referenceInlineWeights}. */
export interface ReferenceInlineOptions {
  /** Smaller payloads stay inline. Default {@link INLINE_REFERENCE_MIN_BYTES}. */
  readonly minBytes?: number;
  /** Tensors to reference whatever their size (e.g. a table the caller reads in place). */
  readonly always?: readonly TensorProto[];
}

/**
 * Turns the inline initializers of `model` (raw_data of at least `minBytes`, and the `always`
 * tensors whatever their size) into external references to `location` at the offsets their bytes
 * have in `fileBytes`, the bytes of the file the model was decoded from. A hard link to that file
 * under `location` next to the patched model then supplies the weights, so a model that keeps its
 * weights inline (e.g. a 1.7 GB float16 export) is patched without copying them. Payloads that are
 * not views into `fileBytes` (typed data fields, copies) stay inline.
 *
 * @returns the number of initializers now referenced.
 */
export function referenceInlineWeights(model: ModelProto, fileBytes: Uint8Array, location: string, options: ReferenceInlineOptions = {}): number {
  const minBytes = options.minBytes ?? INLINE_REFERENCE_MIN_BYTES;
  const always = new Set(options.always ?? []);
  let count = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const length = tensor.rawData.length;
    if (isExternalTensor(tensor) || (length < minBytes && !always.has(tensor))) continue;
    const offset = rawDataOffsetIn(tensor, fileBytes);
    if (offset === undefined) continue;
    setExternalData(tensor, { location, offset, length }); // drops the inline copy
    count++;
  }
  return count;
}

/** Options of {@link placeWeights}. */
export interface PlaceWeightsOptions {
  /** Name of the hard link to the source file that supplies inline weights (`-1`, `-2`, … are added on a clash). */
  readonly sourceLinkName: string;
  /** Copy files that can be neither hard-linked nor cloned. */
  readonly allowCopy: boolean;
  /** What the patched model is, for error messages (`'patched UNet'`). */
  readonly label: string;
  /** Inline tensors to reference in place whatever their size (see {@link referenceInlineWeights}). */
  readonly alwaysReference?: readonly TensorProto[];
  /** Where the source's external weights are; default the source model's folder. */
  readonly sourceDir?: string;
}

/**
 * Makes the weights of `source.model` available in `dir` without copying them: external weight
 * files are hard-linked under their locations (`relocateExternalData`), and inline payloads
 * become external references into a hard link of the source file itself (see
 * {@link referenceInlineWeights}). Edits the model in place.
 *
 * @throws ExternalDataError from `relocateExternalData` (an external file cannot be linked).
 * @throws PatchedModelCacheError when the source file can be neither hard-linked nor cloned and `allowCopy` is off.
 */
export function placeWeights(source: SourceModel, dir: string, options: PlaceWeightsOptions): PlacedWeights[] {
  const sourceDir = options.sourceDir ?? path.dirname(source.path);
  const placed: PlacedWeights[] = relocateExternalData(source.model, sourceDir, dir, { allowCopy: options.allowCopy }).map((f) => ({
    location: f.location,
    action: f.action,
  }));
  const taken = new Set(placed.map((f) => f.location));
  const ext = path.extname(options.sourceLinkName);
  const stem = options.sourceLinkName.slice(0, options.sourceLinkName.length - ext.length);
  let link = options.sourceLinkName;
  for (let i = 1; taken.has(link); i++) link = `${stem}-${i}${ext}`;
  const always = options.alwaysReference ?? [];
  if (referenceInlineWeights(source.model, source.bytes, link, { always }) > 0) {
    const target = path.join(dir, link);
    try {
      placed.push({ location: link, action: linkOrCopyFile(source.path, target, options.allowCopy) });
    } catch (linkError) {
      const code = (linkError as NodeJS.ErrnoException).code ?? String(linkError);
      throw new PatchedModelCacheError(
        `cannot hard-link ${source.path} to ${target} (${code}) and the file system cannot clone it. The ${options.label} reads ` +
          'its weights from links beside it, which need one file system: pass a cacheDir on the file system of the model ' +
          '(or make the model folder writable), or pass { allowCopy: true } to copy the weights.',
        { cause: linkError },
      );
    }
  }
  return placed;
}
