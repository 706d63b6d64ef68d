#!/usr/bin/env node
// The perfusion command. In a source checkout (right after `npm ci`, without a build) it runs the
// TypeScript sources with tsx, and node's `--conditions=@perfusion/source` resolves every
// @perfusion/* import to its sources; an installed copy (no src/ or no tsx) runs dist/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function tsxLoader() {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
}

/**
 * The tsconfig tsx compiles with. tsx applies a tsconfig only to the files it includes, and the
 * workspace packages use decorators (tsyringe's @inject), so it is the workspace's
 * tsconfig.base.json (no `include`: every file below it, `experimentalDecorators` on).
 */
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
  // A terminal's Ctrl-C reaches the whole process group, so the child gets it too and stops
  // cleanly between steps; this process only waits for it. SIGTERM is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write('perfusion: found neither tsx with src/bin.ts nor dist/bin.js; run `npm ci` in a source checkout, or `npm run build`.\n');
  process.exitCode = 1;
}
