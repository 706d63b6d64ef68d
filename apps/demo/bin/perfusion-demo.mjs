#!/usr/bin/env node
// `npm run demo`: the demo server. In a source checkout (right after `npm ci`, no build) it runs
// src/main.ts with tsx, node resolving every @perfusion/* import to its sources through the
// `@perfusion/source` condition; a built copy (no src/ or no tsx) runs dist/main.js.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const built = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function tsxLoader() {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
}

/** tsx applies a tsconfig only to files it includes; the workspace's base one covers every package and enables decorators (tsyringe). */
function workspaceTsconfig() {
  for (let dir = fileURLToPath(new URL('..', import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.base.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  }
}

const tsx = existsSync(source) ? tsxLoader() : undefined;
if (tsx !== undefined) {
  const child = spawn(process.execPath, ['--conditions=@perfusion/source', '--import', tsx, source, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? workspaceTsconfig() },
  });
  // A terminal's Ctrl-C reaches the child too (same process group); this process only waits for it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write('perfusion-demo: found neither tsx with src/main.ts nor dist/main.js; run `npm ci` in a source checkout, or `npm run build`.\n');
  process.exitCode = 1;
}
