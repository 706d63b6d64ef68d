import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDefaultModel } from '@perfusion/toymodel';
import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from '../src/index.js';

// The command `npm run demo` runs: bin/perfusion-demo.mjs, which runs src/main.ts with tsx.

const launcher = fileURLToPath(new URL('../bin/perfusion-demo.mjs', import.meta.url));

/** Starts the launcher; `lines` collects stdout lines as they come. */
function launch(args: string[], cwd: string): { child: ChildProcess; lines: string[]; stderr: () => string; exited: Promise<number | null> } {
  // INIT_CWD is what npm sets to the folder the command was typed in; here, `cwd`.
  const child = spawn(process.execPath, [launcher, ...args], { cwd, env: { ...process.env, INIT_CWD: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, stderr: () => err, exited };
}

/** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
async function lineMatching(run: ReturnType<typeof launch>, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    for (const line of run.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    const exited = await Promise.race([run.exited.then(() => true), new Promise<false>((resolve) => run.child.stdout!.once('data', () => resolve(false)))]);
    if (exited) throw new Error(`the demo exited before printing ${pattern}; stderr:\n${run.stderr()}`);
  }
}

describe('npm run demo', () => {
  it('prints its URL once listening, serves the page there, and stops on SIGTERM', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'perfusion-demo-main-'));
    const run = launch(['--port', '0'], cwd);
    try {
      const match = await lineMatching(run, /^Perfusion demo on (http:\/\/127\.0\.0\.1:(\d+)) \(model: (.+), concepts: (.+)\)$/);
      const [, url, port, model, concepts] = match;
      expect(Number(port)).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(model!, 'model_index.json'))).toBe(true);
      // The default concepts folder is ./concepts of the folder the command was typed in, created.
      expect(concepts).toBe(path.join(fs.realpathSync(cwd), 'concepts'));
      expect(fs.statSync(concepts!).isDirectory()).toBe(true);
      await lineMatching(run, /^No --model given: the embedded default model is the toy-world model/);
      // The default model's example concept, when it ships with the model, is copied into the
      // (new, empty) concepts folder at start.
      const { exampleConcept } = await ensureDefaultModel();
      if (fs.existsSync(exampleConcept.file)) {
        const [, copied] = await lineMatching(run, /^Copied the default model's example concept into (.+)\.$/);
        expect(copied).toBe(path.join(concepts!, path.basename(exampleConcept.file)));
        expect(fs.readFileSync(copied!)).toEqual(fs.readFileSync(exampleConcept.file));
      } else {
        expect(fs.readdirSync(concepts!)).toEqual([]);
      }

      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('prints the usage for --help, and a clear error with exit code 2 for a bad option', async () => {
    const help = launch(['--help'], os.tmpdir());
    expect(await help.exited).toBe(0);
    expect(help.lines.join('\n')).toMatch(/^Usage: npm run demo -- \[options\][\s\S]*--concepts DIR[\s\S]*--queue N/);

    const bad = launch(['--port', 'eighty'], os.tmpdir());
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/^perfusion-demo: --port eighty: pass an integer from 0 to 65535\.\n\nUsage:/);
  });

  it('says which model folder is missing and exits 1', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'perfusion-demo-main-'));
    try {
      const run = launch(['--port', '0', '--model', 'no-such-model'], cwd);
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toContain(`perfusion-demo: ${path.join(fs.realpathSync(cwd), 'no-such-model')} is not a usable model folder: the folder does not exist.`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('parseDemoArgs', () => {
  it('gives the server options, folders resolved against the folder the command was typed in', () => {
    expect(parseDemoArgs(['--model', 'sd15', '--concepts', '/data/concepts', '--port', '0', '--host', '0.0.0.0', '--workers', '2', '--queue', '0'], '/home/me')).toEqual({
      help: false,
      options: { modelDir: '/home/me/sd15', conceptsDir: '/data/concepts', port: 0, host: '0.0.0.0', workers: 2, queue: 0 },
    });
    expect(parseDemoArgs([], '/home/me')).toEqual({ help: false, options: {} });
    expect(parseDemoArgs(['-h'], '/home/me')).toEqual({ help: true });
  });

  it.each([
    { args: ['--port', '70000'], says: '--port 70000: pass an integer from 0 to 65535.' },
    { args: ['--workers', '0'], says: '--workers 0: pass an integer from 1 to 64.' },
    { args: ['--queue', '-1'], says: "Option '--queue' argument is ambiguous. Did you forget to specify the option argument for '--queue'? To specify an option argument starting with a dash use '--queue=-XYZ'. See --help" },
    { args: ['--queue=-1'], says: '--queue -1: pass an integer from 0 to 10000.' },
    { args: ['--queue', '2.5'], says: '--queue 2.5: pass an integer from 0 to 10000.' },
    { args: ['--model'], says: "Option '--model <value>' argument missing" },
    { args: ['--model', ''], says: '--model needs a value.' },
    { args: ['--modle', 'x'], says: "Unknown option '--modle'. See --help for the options." },
    { args: ['serve'], says: "Unexpected argument 'serve'" },
  ])('refuses $args', ({ args, says }) => {
    expect(() => parseDemoArgs(args, '/')).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(args, '/')).toThrow(says);
  });
});
