/**
 * Pieces every benchmark script shares: argument checks that exit with status 2, the model folder
 * a `--model` value names, and the median of timings.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Prints `<bench>: message` and exits with status 2 (bad command line). */
export function failWith(bench: string): (message: string) => never {
  return (message) => {
    console.error(`${bench}: ${message}`);
    process.exit(2);
  };
}

/** An integer option (≥ `min`), or `fallback` when absent. */
export function integerOption(fail: (message: string) => never, name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min) fail(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * The model folder for `--model`: `tiny` or `sd15` (fixtures, generated in a child process when
 * missing, so that generation's memory does not count in this process's peak RSS) or a folder.
 */
export function modelFolder(fail: (message: string) => never, model: string): string {
  if (model !== 'tiny' && model !== 'sd15') {
    if (!fs.existsSync(path.join(model, 'model_index.json'))) fail(`${model} is not a model folder (no model_index.json)`);
    return path.resolve(model);
  }
  const script = `import('@perfusion/fixtures').then((m) => m.ensureFixture('${model}')).then((dir) => console.log(dir))`;
  const out = execFileSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1)!;
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
