import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  nodeAtomicWriteIo,
  nodeAtomicWriteSyncIo,
  renameDirectoryIntoPlace,
  temporarySibling,
  writeFileAtomic,
  writeFileAtomicSync,
  type AtomicWriteIo,
  type AtomicWriteSyncIo,
} from '../src/index.js';

const root = fs.mkdtempSync(path.join(tmpdir(), 'tensor-core-atomic-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let count = 0;
function freshDir(): string {
  const dir = path.join(root, `case-${count++}`);
  fs.mkdirSync(dir);
  return dir;
}

const OLD = new TextEncoder().encode('the previous, complete file');
const NEW = new TextEncoder().encode('the new contents');
const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** Writes half the bytes to the temp file, then fails as a full disk would. */
const halfwayAsync: AtomicWriteIo = {
  ...nodeAtomicWriteIo,
  async writeNew(file, bytes) {
    await nodeAtomicWriteIo.writeNew(file, bytes.subarray(0, bytes.length >> 1));
    throw diskFull();
  },
};
const halfwaySync: AtomicWriteSyncIo = {
  ...nodeAtomicWriteSyncIo,
  writeNew(file, bytes) {
    nodeAtomicWriteSyncIo.writeNew(file, bytes.subarray(0, bytes.length >> 1));
    throw diskFull();
  },
};

describe('temporarySibling', () => {
  it('is a hidden, unique name in the same folder', () => {
    const target = path.join(root, 'sub', 'cat.safetensors');
    const a = temporarySibling(target);
    expect(path.dirname(a)).toBe(path.dirname(target));
    expect(path.basename(a)).toMatch(new RegExp(`^\\.cat\\.safetensors\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(temporarySibling(target)).not.toBe(a);
  });
});

describe.each([
  ['writeFileAtomic', (file: string, bytes: Uint8Array, io?: 'halfway') => writeFileAtomic(file, bytes, io ? halfwayAsync : undefined)],
  ['writeFileAtomicSync', async (file: string, bytes: Uint8Array, io?: 'halfway') => writeFileAtomicSync(file, bytes, io ? halfwaySync : undefined)],
] as const)('%s', (_name, write) => {
  it('replaces the file in one step and leaves no temp file', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'out.bin');
    fs.writeFileSync(file, OLD);
    await write(file, NEW);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(NEW);
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a write that fails halfway leaves the old file untouched, no temp file, and throws the original error', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'out.bin');
    fs.writeFileSync(file, OLD);
    await expect(write(file, NEW, 'halfway')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(OLD);
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a failing rename (a folder is in the way) removes the temp file', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'taken');
    fs.mkdirSync(file);
    await expect(write(file, NEW)).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST|EPERM/) });
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });

  it('a missing folder is the original ENOENT', async () => {
    await expect(write(path.join(root, 'no-such-dir', 'x.bin'), NEW)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('renameDirectoryIntoPlace', () => {
  function filled(dir: string, name: string, content: string): string {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'file.txt'), content);
    return folder;
  }
  const contentOf = (folder: string) => fs.readFileSync(path.join(folder, 'file.txt'), 'utf8');

  it('renames the folder when nothing is in the way, without asking', () => {
    const dir = freshDir();
    const target = path.join(dir, 'entry');
    const temp = filled(dir, path.basename(temporarySibling(target)), 'new');
    expect(renameDirectoryIntoPlace(temp, target, () => expect.fail('not asked'))).toBe('renamed');
    expect(contentOf(target)).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['entry']);
  });

  it("'keep' keeps what is there and removes the new folder", () => {
    const dir = freshDir();
    const target = filled(dir, 'entry', 'old');
    const temp = filled(dir, path.basename(temporarySibling(target)), 'new');
    const asked: string[] = [];
    expect(renameDirectoryIntoPlace(temp, target, (t) => (asked.push(t), 'keep'))).toBe('kept-existing');
    expect(asked).toEqual([target]);
    expect(contentOf(target)).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['entry']);
  });

  it("'replace' swaps the new folder in (also over a file) and removes the old one", () => {
    const dir = freshDir();
    const target = filled(dir, 'entry', 'old');
    const temp = filled(dir, path.basename(temporarySibling(target)), 'new');
    expect(renameDirectoryIntoPlace(temp, target, () => 'replace')).toBe('replaced-existing');
    expect(contentOf(target)).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['entry']);

    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'in the way');
    const temp2 = filled(dir, path.basename(temporarySibling(file)), 'newer');
    expect(renameDirectoryIntoPlace(temp2, file, () => 'replace')).toBe('replaced-existing');
    expect(contentOf(file)).toBe('newer');
    expect(fs.readdirSync(dir).sort()).toEqual(['a-file', 'entry']);
  });

  it('an error thrown by the decision reaches the caller, with the new folder left to it', () => {
    const dir = freshDir();
    const target = filled(dir, 'entry', 'old');
    const temp = filled(dir, 'temp', 'new');
    expect(() =>
      renameDirectoryIntoPlace(temp, target, () => {
        throw new Error('exists');
      }),
    ).toThrow('exists');
    expect(contentOf(target)).toBe('old');
    expect(contentOf(temp)).toBe('new');
  });
});
