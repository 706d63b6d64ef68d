import * as fs from 'node:fs';
import * as path from 'node:path';
import { AmbiguousMaskError, NoTrainingImagesError, OrphanMaskError, TrainingFolderError } from './errors.js';
import { fileKind } from './file-kinds.js';

/** One training image of a folder and, when one lies beside it, the mask of its concept region. */
export interface TrainingImageFile {
  /** The file name inside the folder, e.g. `cat-01.jpg`. */
  readonly name: string;
  /** The absolute path. */
  readonly file: string;
  /** The absolute path of `<stem>.mask.png|.jpg|.jpeg`, when there is one. */
  readonly maskFile: string | undefined;
}

/** What a training folder holds. */
export interface TrainingFolder {
  /** The absolute path of the folder. */
  readonly folder: string;
  /** The images, sorted by name (UTF-16 code units, so the order is the same on every machine). */
  readonly images: readonly TrainingImageFile[];
  /** Visible files that are neither images nor masks (captions, .webp, ...), sorted; worth a warning. */
  readonly ignored: readonly string[];
}

/**
 * Lists the training images of `dir` (not its subfolders): files ending in .png, .jpg or .jpeg,
 * any case, hidden files skipped, each paired with its mask `<stem>.mask.png|.jpg|.jpeg` when
 * present. Masks are not training images themselves.
 * @throws TrainingFolderError when `dir` is missing or not a folder.
 * @throws NoTrainingImagesError when it holds no image.
 * @throws OrphanMaskError when a mask has no image of its stem.
 * @throws AmbiguousMaskError when a masked stem has several images, or an image several masks.
 */
export async function listTrainingImages(dir: string): Promise<TrainingFolder> {
  const folder = path.resolve(dir);
  await checkFolder(folder);
  const names = (await regularFileNames(folder)).sort(byCodeUnits);
  const images = new Map<string, string[]>();
  const masks = new Map<string, string[]>();
  const ignored: string[] = [];
  for (const name of names) {
    const kind = fileKind(name);
    if (kind === undefined) {
      if (!name.startsWith('.')) ignored.push(name);
      continue;
    }
    const byStem = kind.kind === 'image' ? images : masks;
    byStem.set(kind.stem, [...(byStem.get(kind.stem) ?? []), name]);
  }
  if (images.size === 0) throw new NoTrainingImagesError(folder, [...ignored, ...[...masks.values()].flat()].sort(byCodeUnits));
  const orphans = [...masks].filter(([stem]) => !images.has(stem)).flatMap(([, maskNames]) => maskNames);
  if (orphans.length > 0) throw new OrphanMaskError(folder, orphans);
  for (const [stem, maskNames] of masks) {
    const imageNames = images.get(stem)!;
    if (maskNames.length > 1 || imageNames.length > 1) throw new AmbiguousMaskError(folder, stem, imageNames, maskNames);
  }
  const files = [...images].flatMap(([stem, imageNames]) =>
    imageNames.map((name) => {
      const maskName = masks.get(stem)?.[0];
      return { name, file: path.join(folder, name), maskFile: maskName === undefined ? undefined : path.join(folder, maskName) };
    }),
  );
  return { folder, images: files.sort((a, b) => byCodeUnits(a.name, b.name)), ignored };
}

async function checkFolder(folder: string): Promise<void> {
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(folder);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new TrainingFolderError(folder, 'missing', { cause });
    throw cause;
  }
  if (!stats.isDirectory()) throw new TrainingFolderError(folder, 'not-a-folder');
}

/** Names of the regular files in `folder`, following symbolic links (a linked photo is a photo). */
async function regularFileNames(folder: string): Promise<string[]> {
  const entries = await fs.promises.readdir(folder, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isFile()) names.push(entry.name);
    else if (entry.isSymbolicLink() && (await isFileBehindLink(path.join(folder, entry.name)))) names.push(entry.name);
  }
  return names;
}

async function isFileBehindLink(link: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(link)).isFile();
  } catch {
    return false; // a dangling link is no image
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
