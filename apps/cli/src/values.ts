import { CliUsageError } from './errors.js';

// Parsers of option values. Each throws a CliUsageError naming the option, what was given and
// what is accepted.

const COMMAND = 'generate';

function given(text: string): string {
  return JSON.stringify(text);
}

/** An integer >= min, written in decimal digits (no sign, exponent or fraction). */
export function parseInteger(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new CliUsageError(`--${option} must be an integer >= ${min}, got ${given(text)}.`, COMMAND);
  }
  return value;
}

/** A finite number >= min. */
export function parseNumber(option: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min) {
    throw new CliUsageError(`--${option} must be a number >= ${min}, got ${given(text)}.`, COMMAND);
  }
  return value;
}

/** A positive multiple of 8 (image sides: the VAE downsamples by 8). */
export function parseImageSide(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 8 || value % 8 !== 0) {
    const below = Math.floor(value / 8) * 8;
    const hint = Number.isSafeInteger(value) && value > 8 ? ` (the nearest are ${below} and ${below + 8})` : '';
    throw new CliUsageError(`--${option} must be a positive multiple of 8 pixels, got ${given(text)}${hint}.`, COMMAND);
  }
  return value;
}

/** One of a fixed list of names. */
export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new CliUsageError(`--${option} must be one of ${choices.join(', ')}; got ${given(text)}.`, COMMAND);
}

/** A non-empty path. */
export function parsePath(option: string, text: string): string {
  if (text.trim() === '') throw new CliUsageError(`--${option} needs a path, got an empty string.`, COMMAND);
  return text;
}

/** A path of a PNG file to write. */
export function parsePngPath(option: string, text: string): string {
  const file = parsePath(option, text);
  if (!/\.png$/i.test(file)) throw new CliUsageError(`--${option} must name a .png file, got ${given(text)}.`, COMMAND);
  return file;
}
