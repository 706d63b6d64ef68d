import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  compatibility,
  CONCEPT_MAX_FILE_BYTES,
  ConceptFormatError,
  decodeConcept,
  writeFileAtomic,
  type ConceptFile,
  type ModelDescription,
} from '@perfusion/concept-format';
import { CONCEPT_NAME_RULE, isConceptName } from './concept-name.js';
import { conceptEntry, type ConceptEntry, type InvalidConceptFile } from './concept-entry.js';
import { ConceptFolderError } from './concept-folder-error.js';

/** A concept of the folder, read and checked against the model. */
export interface LoadedConcept {
  readonly entry: ConceptEntry;
  readonly concept: ConceptFile;
}

/** What the folder holds: usable files, and `.safetensors` files that are not readable concepts. */
export interface ConceptListing {
  readonly concepts: ConceptEntry[];
  readonly invalid: InvalidConceptFile[];
}

type ReadResult = { readonly ok: true; readonly loaded: LoadedConcept } | { readonly ok: false; readonly message: string };

interface CacheSlot {
  readonly stamp: string;
  readonly result: ReadResult;
}

/**
 * The concepts folder: the only place concept files are read from or written to. Names from
 * requests are plain file names (see {@link isConceptName}); a name is looked up only directly in
 * the folder, and a symbolic link there is followed only when its target lies inside the folder too,
 * so no request reaches any other file. Decoded files are cached by name, path, inode, size and
 * modification time, so listing and generating do not decode unchanged files again.
 */
export class ConceptFolder {
  private readonly cache = new Map<string, CacheSlot>();
  /** Uploads run one after another, so "exists" and the write that follows cannot interleave. */
  private saving: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The folder, absolute, with symbolic links resolved. */
    readonly dir: string,
    private readonly model: ModelDescription,
  ) {}

  /** Opens (creating it when missing) the folder whose concepts are checked against `model`. */
  static async open(dir: string, model: ModelDescription): Promise<ConceptFolder> {
    await fs.mkdir(dir, { recursive: true });
    const real = await fs.realpath(dir);
    if (!(await fs.stat(real)).isDirectory()) throw new Error(`${dir} is not a folder`);
    return new ConceptFolder(real, model);
  }

  /** Every concept file directly in the folder, by name; subfolders and other files are ignored. */
  async list(): Promise<ConceptListing> {
    const names = (await fs.readdir(this.dir)).filter(isConceptName).sort();
    const concepts: ConceptEntry[] = [];
    const invalid: InvalidConceptFile[] = [];
    for (const name of names) {
      const found = await this.locate(name);
      if (found === undefined) continue;
      const result = await this.read(name, found.path, found.stat);
      if (result.ok) concepts.push(result.loaded.entry);
      else invalid.push({ id: name, message: result.message });
    }
    return { concepts, invalid };
  }

  /**
   * The concept a request names by `id` (its file name), read and checked against the model.
   * @throws {ConceptFolderError} `invalid-name` (not a plain concept file name), `unknown-concept`
   *   (no such file in the folder), `invalid-concept` (not a readable concept file).
   */
  async load(id: string): Promise<LoadedConcept> {
    if (!isConceptName(id)) {
      throw new ConceptFolderError('invalid-name', `concept id ${JSON.stringify(id)} is not a concept file name; use an id from GET /api/concepts (${CONCEPT_NAME_RULE}).`);
    }
    const found = await this.locate(id);
    if (found === undefined) {
      throw new ConceptFolderError('unknown-concept', `no concept "${id}" in the concepts folder; use an id from GET /api/concepts, or upload the file first.`);
    }
    const result = await this.read(id, found.path, found.stat);
    if (!result.ok) throw new ConceptFolderError('invalid-concept', result.message);
    return result.loaded;
  }

  /**
   * Validates `bytes` as a concept file for the model and stores it as `name` (atomically: a
   * temporary file, then a rename). Nothing is written when any check fails.
   * @throws {ConceptFolderError} `invalid-name`, `exists` (unless `replace`), `invalid-concept`,
   *   `incompatible-concept`.
   */
  save(name: string, bytes: Uint8Array, replace: boolean): Promise<ConceptEntry> {
    const saved = this.saving.then(() => this.saveNow(name, bytes, replace));
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  private async saveNow(name: string, bytes: Uint8Array, replace: boolean): Promise<ConceptEntry> {
    if (!isConceptName(name)) {
      throw new ConceptFolderError('invalid-name', `${JSON.stringify(name)} cannot be a concept file name; pass ?name= with ${CONCEPT_NAME_RULE}.`);
    }
    const target = path.join(this.dir, name);
    if (!replace && (await fs.lstat(target).then(() => true, () => false))) {
      throw new ConceptFolderError('exists', `the concepts folder already has "${name}"; choose another name, or add ?replace=1 to overwrite it.`);
    }
    const concept = this.validate(name, bytes);
    await writeFileAtomic(target, bytes);
    return conceptEntry(name, concept, []);
  }

  /**
   * The checks {@link save} makes, without writing: `bytes` are a concept file this model can use.
   * @throws {ConceptFolderError} `invalid-concept`, `incompatible-concept`.
   */
  async check(name: string, bytes: Uint8Array): Promise<void> {
    this.validate(name, bytes);
  }

  private validate(name: string, bytes: Uint8Array): ConceptFile {
    const concept = decodeUpload(name, bytes);
    const problems = compatibility(concept, this.model, name);
    if (problems.length > 0) {
      throw new ConceptFolderError(
        'incompatible-concept',
        `${name} cannot be used with this server's model: ${problems.map((p) => p.message).join(' ')} Upload a concept trained on this model.`,
      );
    }
    return concept;
  }

  /** The real path of `name` in the folder when it is a file there (or a link to a file inside the folder). */
  private async locate(name: string): Promise<{ path: string; stat: Stats } | undefined> {
    try {
      const real = await fs.realpath(path.join(this.dir, name));
      if (!isInside(this.dir, real)) return undefined;
      const stat = await fs.stat(real);
      return stat.isFile() ? { path: real, stat } : undefined;
    } catch {
      return undefined; // gone, or a dangling link
    }
  }

  private async read(id: string, file: string, stat: Stats): Promise<ReadResult> {
    // By name: a link and its target are two entries with the same contents.
    const stamp = `${file}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    const cached = this.cache.get(id);
    if (cached?.stamp === stamp) return cached.result;
    const result = await this.decode(id, file, stat.size);
    this.cache.set(id, { stamp, result });
    return result;
  }

  private async decode(id: string, file: string, size: number): Promise<ReadResult> {
    if (size > CONCEPT_MAX_FILE_BYTES) return { ok: false, message: `${id}: the file has ${size} bytes, more than a concept file's ${CONCEPT_MAX_FILE_BYTES}.` };
    try {
      const concept = decodeConcept(await fs.readFile(file), { source: id });
      const problems = compatibility(concept, this.model, id);
      return { ok: true, loaded: { concept, entry: conceptEntry(id, concept, problems) } };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }
}

function decodeUpload(name: string, bytes: Uint8Array): ConceptFile {
  try {
    return decodeConcept(bytes, { source: name });
  } catch (error) {
    if (!(error instanceof ConceptFormatError)) throw error;
    throw new ConceptFolderError('invalid-concept', `${error.message} Upload a concept file (.safetensors) made by perfusion train or perfusion concept from-words.`, {
      cause: error,
    });
  }
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
