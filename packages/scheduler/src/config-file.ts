import { readFile } from 'node:fs/promises';
import { SchedulerConfigError } from './errors.js';
import { parseSchedulerConfig, type SchedulerConfig } from './config.js';

/**
 * Python's `json.dumps` (which diffusers uses to save configs) writes non-finite floats as the bare
 * tokens `Infinity`, `-Infinity` and `NaN`, which are not JSON. This turns those tokens, where they
 * stand as values, into numbers after a standard parse, leaving strings untouched.
 */
function parsePythonJson(text: string): unknown {
  const marker = '\u0000perfusion-nonfinite:';
  const quoted = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (match, string: string | undefined) =>
    string !== undefined ? match : JSON.stringify(marker + match),
  );
  return JSON.parse(quoted, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? Number(value.slice(marker.length)) : value,
  );
}

/**
 * Reads a diffusers `scheduler_config.json` from a file path, or validates an already parsed object.
 *
 * @throws {SchedulerConfigError} when the file is not valid JSON or a key holds an invalid value
 *   (file-system errors such as a missing file are passed through unchanged).
 */
export async function loadSchedulerConfig(pathOrObject: string | object): Promise<SchedulerConfig> {
  if (typeof pathOrObject !== 'string') return parseSchedulerConfig(pathOrObject);
  const text = await readFile(pathOrObject, 'utf8');
  let json: unknown;
  try {
    json = parsePythonJson(text);
  } catch (error) {
    throw new SchedulerConfigError('(file)', (error as Error).message, 'valid JSON', pathOrObject);
  }
  return parseSchedulerConfig(json, pathOrObject);
}
