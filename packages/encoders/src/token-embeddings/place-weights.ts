import * as fs from 'node:fs';
import * as path from 'node:path';
import { isExternalTensor, relocateExternalData, setExternalData, type ModelProto, type TensorProto } from '@perfusion/onnx-graph';
import { TokenEmbeddingCacheError } from './errors.js';

/** Inline initializers at least this large are referenced in place rather than rewritten. */
export const INLINE_REFERENCE_MIN_BYTES = 1024;

/** The name under which the source model.onnx is linked into an entry when its weights are inline. */
export const SOURCE_WEIGHTS_LINK = 'unextended-model.onnx';

/** One weight file of a cache entry and how it got there. */
export interface PlacedWeights {
  readonly location: string;
  readonly action: 'same-folder' | 'already-present' | 'hard-linked' | 'cloned' | 'copied';
}

/**
 * Makes the weights of `model` (decoded from `bytes`, the source file at `sourcePath`) available
 * in `dir` without copying them: external weight files are hard-linked under their locations
 * (`relocateExternalData`, as `writeModel`'s `externalDataFrom` does), and inline payloads of at
 * least {@link INLINE_REFERENCE_MIN_BYTES} — and the `always` tensor whatever its size — become
 * external references into a hard link of the source file itself ({@link SOURCE_WEIGHTS_LINK}),
 * at the offsets their bytes have in it. Edits `model` in place.
 * @throws TokenEmbeddingCacheError when a file can be neither hard-linked nor cloned and `allowCopy` is off.
 */
export function placeWeights(model: ModelProto, bytes: Uint8Array, sourcePath: string, dir: string, allowCopy: boolean, always?: TensorProto): PlacedWeights[] {
  const placed: PlacedWeights[] = relocateExternalData(model, path.dirname(sourcePath), dir, { allowCopy }).map((f) => ({ location: f.location, action: f.action }));
  const taken = new Set(placed.map((f) => f.location));
  let link = SOURCE_WEIGHTS_LINK;
  for (let i = 1; taken.has(link); i++) link = `unextended-model-${i}.onnx`;
  let referenced = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    if (isExternalTensor(tensor) || (tensor.rawData.length < INLINE_REFERENCE_MIN_BYTES && tensor !== always)) continue;
    const raw = tensor.rawData;
    if (raw.length === 0 || raw.buffer !== bytes.buffer) continue; // typed data fields, or a copy: stays inline
    const offset = raw.byteOffset - bytes.byteOffset;
    if (offset < 0 || offset + raw.length > bytes.length) continue;
    setExternalData(tensor, { location: link, offset, length: raw.length });
    referenced++;
  }
  if (referenced > 0) placed.push({ location: link, action: linkFile(sourcePath, path.join(dir, link), allowCopy) });
  return placed;
}

/**
 * Makes `source` available as `target` without copying its bytes: a hard link, else (another
 * file system) a copy-on-write clone, else a real copy only when `allowCopy`. onnxruntime refuses
 * symbolic links out of a model's folder, so those are not an option.
 */
function linkFile(source: string, target: string, allowCopy: boolean): 'hard-linked' | 'cloned' | 'copied' {
  try {
    fs.linkSync(source, target);
    return 'hard-linked';
  } catch (linkError) {
    try {
      fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE_FORCE);
      return 'cloned';
    } catch {
      // not a copy-on-write file system
    }
    if (allowCopy) {
      fs.copyFileSync(source, target);
      return 'copied';
    }
    const code = (linkError as NodeJS.ErrnoException).code ?? String(linkError);
    throw new TokenEmbeddingCacheError(
      `cannot hard-link ${source} to ${target} (${code}) and the file system cannot clone it. The extended text encoder reads ` +
        'its weights from links beside it, which need one file system: pass a cacheDir on the file system of the model ' +
        '(or make the model folder writable), or pass { allowCopy: true } to copy the weights.',
      { cause: linkError },
    );
  }
}
