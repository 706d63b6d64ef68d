import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WorkerPipelineError } from '../errors.js';
import type { WorkerStartData } from './protocol.js';

/**
 * Starts the pipeline worker. From the built package (`dist/`), the worker is
 * `dist/worker/worker-entry.js`. From the TypeScript sources (tests, the `@perfusion/source`
 * condition), it is `worker-entry.ts`, loaded through tsx's ESM loader registered inside the worker
 * with a tsconfig that enables decorators, and with `--conditions=@perfusion/source` so that the
 * worker resolves the workspace packages to their sources as the main thread does.
 */
export function spawnPipelineWorker(data: WorkerStartData): Worker {
  const here = import.meta.url;
  if (!fileURLToPath(here).endsWith('.ts')) {
    return new Worker(new URL('./worker-entry.js', here), { workerData: data });
  }
  const entry = new URL('./worker-entry.ts', here).href;
  const bootstrap =
    `import(${JSON.stringify(tsxEsmApiUrl())})` +
    `.then((tsx) => { tsx.register({ tsconfig: ${JSON.stringify(decoratorTsconfig())} }); return import(${JSON.stringify(entry)}); })` +
    `.catch((error) => { setImmediate(() => { throw error; }); });`;
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: ['--conditions=@perfusion/source'] });
}

/** The file URL of tsx's `tsx/esm/api` ESM entry (its package exports, read directly: require.resolve would pick the CommonJS one). */
function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve('tsx/package.json');
  } catch (error) {
    throw new WorkerPipelineError(
      'createWorkerPipeline(): running the worker from TypeScript sources needs the tsx package; install it, or build ' +
        '@perfusion/pipeline (npm run build) and import its dist/.',
      { cause: error },
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, unknown> };
  const target = (manifest.exports?.['./esm/api'] as { import?: { default?: string } } | undefined)?.import?.default;
  if (typeof target !== 'string') throw new WorkerPipelineError(`createWorkerPipeline(): ${manifestPath} has no "./esm/api" import entry.`);
  return pathToFileURL(path.join(path.dirname(manifestPath), target)).href;
}

/**
 * A tsconfig whose files include every workspace package and that enables `experimentalDecorators`
 * (tsx applies a tsconfig's compiler options only to the files it includes): the workspace's
 * tsconfig.base.json, else this package's tsconfig.json.
 */
function decoratorTsconfig(): string {
  const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (let dir = packageDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.base.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.join(packageDir, 'tsconfig.json');
}
