// Shared by the apps' bin scripts. In a source checkout (right after `npm ci`, without a build) the
// entry runs from its TypeScript source with tsx, and node's `--conditions=@perfusion/source`
// resolves every @perfusion/* import to its sources; an installed or built copy (no src/ or no tsx)
// imports the built JavaScript in this process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
function workspaceTsconfig(from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.base.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(from, 'tsconfig.json');
  }
}

/**
 * Runs an app: `source` (a .ts URL) in a child node with tsx when both exist, else `built` (a .js
 * URL) in this process. Command-line arguments are passed on; the exit code is the child's.
 * @param {{ name: string, source: URL, built: URL }} entry
 */
export async function launch({ name, source, built }) {
  const sourcePath = fileURLToPath(source);
  const builtPath = fileURLToPath(built);
  const tsx = existsSync(sourcePath) ? tsxLoader() : undefined;
  if (tsx !== undefined) {
    const child = spawn(process.execPath, ['--conditions=@perfusion/source', '--import', tsx, sourcePath, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? workspaceTsconfig(dirname(dirname(sourcePath))) },
    });
    // A terminal's Ctrl-C reaches the whole process group, so the child gets it too and stops
    // cleanly between steps; this process only waits for it. SIGTERM is passed on.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.on('exit', (code, signal) => {
      process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
    });
  } else if (existsSync(builtPath)) {
    await import(pathToFileURL(builtPath).href);
  } else {
    process.stderr.write(`${name}: found neither tsx with ${sourcePath} nor ${builtPath}; run \`npm ci\` in a source checkout, or \`npm run build\`.\n`);
    process.exitCode = 1;
  }
}
