import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED, EXIT_OK, REDRAW, runCli } from '../src/index.js';
import { fakeIo } from './helpers/fake-io.js';
import { tempDir } from './helpers/run-bin.js';

const root = tempDir('in-process');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('runCli generate in-process', () => {
  it('draws a bar redrawn in place on a terminal and ends its line before the summary', async () => {
    const out = path.join(root, 'tty.png');
    const fake = fakeIo({ tty: true });
    const code = await runCli(['generate', 'a cat', '--seed', '2', '--steps', '3', '--scheduler', 'ddim', '--out', out], fake.io);
    const { stdout, stderr } = fake.output();
    expect(code, stderr).toBe(EXIT_OK);
    expect(stdout).toBe(`${out}\n`);
    const redraws = stderr.split(REDRAW).slice(1);
    expect(redraws.map((r) => /^step (\d)\/3 \|/.exec(r)?.[1])).toEqual(['1', '2', '3']);
    expect(redraws[2]).toMatch(/^step 3\/3 \|█+\| 100% t=\d+ [\d.]+ it\/s ETA 00:00\ndone: 3 steps in [\d.]+ s/);
    expect(fake.listeners()).toBe(0); // the Ctrl-C handler is removed afterwards
  });

  it('unsubscribes on Ctrl-C: no step after it, exit 130, no image', async () => {
    const out = path.join(root, 'cancelled.png');
    const fake = fakeIo({
      tty: false,
      onStderr: (text, interrupt) => {
        if (text.startsWith('step 2/50 ')) interrupt();
      },
    });
    const code = await runCli(['generate', 'a cat', '--seed', '2', '--steps', '50', '--scheduler', 'ddim', '--out', out], fake.io);
    const { stdout, stderr } = fake.output();
    expect(code, stderr).toBe(EXIT_INTERRUPTED);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter((l) => l.startsWith('step '))).toHaveLength(2);
    expect(stderr).toMatch(/cancelling after the current step/);
    expect(stderr).toMatch(/^cancelled after step 2\/50; no image written\.$/m);
    expect(fs.existsSync(out)).toBe(false);
  });
});
