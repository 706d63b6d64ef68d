import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConceptIoError,
  NonFiniteValueError,
  nodeAtomicWriteIo,
  readConcept,
  writeConcept,
  writeFileAtomic,
  type AtomicWriteIo,
} from '@perfusion/concept-format';
import { randomConcept, sd15Layers } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'concept-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function freshDir(): string {
  const dir = join(root, `case-${count++}`);
  mkdirSync(dir);
  return dir;
}

const OLD = new TextEncoder().encode('the previous, complete concept file');
const small = () => randomConcept(21, sd15Layers().slice(0, 2), 8);

/** Writes only the first half of the bytes to the temp file, then fails as a full disk would. */
const diskFullHalfway: AtomicWriteIo = {
  ...nodeAtomicWriteIo,
  async writeNew(path, bytes) {
    await nodeAtomicWriteIo.writeNew(path, bytes.subarray(0, bytes.length >> 1));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  },
};

describe('writeConcept is atomic', () => {
  it('a write that fails halfway leaves the old file untouched and no temp file', async () => {
    const dir = freshDir();
    const path = join(dir, 'cat.safetensors');
    writeFileSync(path, OLD);
    const attempt = writeConcept(path, small(), { io: diskFullHalfway });
    await expect(attempt).rejects.toThrow(ConceptIoError);
    await expect(writeConcept(path, small(), { io: diskFullHalfway })).rejects.toThrow(
      `${path}: file: could not write the file (ENOSPC: no space left on device, write); check the directory exists and is writable and the disk has space; no partial file was left behind.`,
    );
    expect(readFileSync(path)).toEqual(Buffer.from(OLD));
    expect(readdirSync(dir)).toEqual(['cat.safetensors']);
  });

  it('a write that fails halfway with no previous file leaves nothing at all', async () => {
    const dir = freshDir();
    await expect(writeConcept(join(dir, 'new.safetensors'), small(), { io: diskFullHalfway })).rejects.toThrow(ConceptIoError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failing rename (the target is a directory) removes the temp file', async () => {
    const dir = freshDir();
    const path = join(dir, 'taken.safetensors');
    mkdirSync(path);
    const error = await writeConcept(path, small()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConceptIoError);
    expect((error as ConceptIoError).cause).toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST|EPERM/) });
    expect(readdirSync(dir)).toEqual(['taken.safetensors']);
  });

  it('an invalid concept throws before the disk is touched', async () => {
    const dir = freshDir();
    const path = join(dir, 'cat.safetensors');
    writeFileSync(path, OLD);
    const bad = small();
    bad.valueTargets[0]!.target[0] = NaN;
    let touched = false;
    const spy: AtomicWriteIo = { ...nodeAtomicWriteIo, writeNew: async (p, b) => ((touched = true), nodeAtomicWriteIo.writeNew(p, b)) };
    await expect(writeConcept(path, bad, { io: spy })).rejects.toThrow(NonFiniteValueError);
    expect(touched).toBe(false);
    expect(readFileSync(path)).toEqual(Buffer.from(OLD));
    expect(readdirSync(dir)).toEqual(['cat.safetensors']);
  });

  it('a successful write replaces the old file in one step and leaves no temp file', async () => {
    const dir = freshDir();
    const path = join(dir, 'cat.safetensors');
    writeFileSync(path, OLD);
    const renames: [string, string][] = [];
    const io: AtomicWriteIo = { ...nodeAtomicWriteIo, rename: async (a, b) => (renames.push([a, b]), nodeAtomicWriteIo.rename(a, b)) };
    await writeConcept(path, small(), { io, dtype: 'float16' });
    expect(renames).toHaveLength(1);
    expect(renames[0]![1]).toBe(path);
    expect(renames[0]![0]).toMatch(/\/\.cat\.safetensors\.\d+\.[0-9a-f]{12}\.tmp$/);
    expect((await readConcept(path)).dtype).toBe('float16');
    expect(readdirSync(dir)).toEqual(['cat.safetensors']);
  });

  it('writeFileAtomic reports a missing directory as a write error naming the path', async () => {
    const path = join(root, 'no-such-dir', 'x.bin');
    await expect(writeFileAtomic(path, new Uint8Array([1]))).rejects.toThrow(`${path}: file: could not write the file (ENOENT`);
  });
});
