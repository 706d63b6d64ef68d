import { CliUsageError } from './errors.js';

// Parsers of option values. Each throws a CliUsageError naming the option, what was given and
// what is accepted; the command parser adds which command's --help to point at.

function given(text: string): string {
  return JSON.stringify(text);
}

/** An integer >= min, written in decimal digits (no sign, exponent or fraction). */
export function parseInteger(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new CliUsageError(`--${option} must be an integer >= ${min}, got ${given(text)}.`);
  }
  return value;
}

/** A finite number >= min. */
export function parseNumber(option: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min) {
    throw new CliUsageError(`--${option} must be a number >= ${min}, got ${given(text)}.`);
  }
  return value;
}

/** A finite number > 0 (learning rates). */
export function parsePositiveNumber(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new CliUsageError(`--${option} must be a number > 0, got ${given(text)}.`);
  }
  return value;
}

/** A positive multiple of 8 (image sides: the VAE downsamples by 8). */
export function parseImageSide(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 8 || value % 8 !== 0) {
    const below = Math.floor(value / 8) * 8;
    const hint = Number.isSafeInteger(value) && value > 8 ? ` (the nearest are ${below} and ${below + 8})` : '';
    throw new CliUsageError(`--${option} must be a positive multiple of 8 pixels, got ${given(text)}${hint}.`);
  }
  return value;
}

/** One of a fixed list of names. */
export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new CliUsageError(`--${option} must be one of ${choices.join(', ')}; got ${given(text)}.`);
}

/** A non-empty path. */
export function parsePath(option: string, text: string): string {
  if (text.trim() === '') throw new CliUsageError(`--${option} needs a path, got an empty string.`);
  return text;
}

/** A path of a PNG file to write. */
export function parsePngPath(option: string, text: string): string {
  const file = parsePath(option, text);
  if (!/\.png$/i.test(file)) throw new CliUsageError(`--${option} must name a .png file, got ${given(text)}.`);
  return file;
}

/** A path of a concept file to write. */
export function parseSafetensorsPath(option: string, text: string): string {
  const file = parsePath(option, text);
  if (!/\.safetensors$/i.test(file)) throw new CliUsageError(`--${option} must name a .safetensors file, got ${given(text)}.`);
  return file;
}

/** One `--concept` value: a concept file and the gate parameters that override its defaults. */
export interface ConceptSpec {
  readonly file: string;
  /** The gate's bias β; absent: the file's default. */
  readonly beta?: number;
  /** The gate's temperature τ; absent: the file's default. */
  readonly tau?: number;
}

const CONCEPT_SYNTAX = 'FILE, FILE:BETA, FILE:BETA:TAU or FILE::TAU (e.g. my-cat.safetensors:0.6:0.2)';

/**
 * `FILE[:BETA[:TAU]]`: the file is everything before the first `:` (after a Windows drive letter
 * such as `C:\`), so concept file names cannot contain `:` here. An empty BETA or TAU keeps the
 * file's default. β is any finite number, τ a finite number > 0 (key-lock's gate parameters).
 */
export function parseConceptSpec(option: string, text: string): ConceptSpec {
  const drive = /^[A-Za-z]:[\\/]/.test(text) ? 2 : 0;
  const colon = text.indexOf(':', drive);
  const file = colon < 0 ? text : text.slice(0, colon);
  if (file.trim() === '') throw new CliUsageError(`--${option} needs a concept file: ${CONCEPT_SYNTAX}; got ${given(text)}.`);
  if (colon < 0) return { file };
  const parts = text.slice(colon + 1).split(':');
  if (parts.length > 2) {
    throw new CliUsageError(
      `--${option} ${given(text)} has ${parts.length} values after the file; write ${CONCEPT_SYNTAX} (a file name with ':' in it cannot be used here: rename or link it).`,
    );
  }
  const number = (name: string, part: string, positive: boolean): number | undefined => {
    if (part === '') return undefined;
    const value = Number(part);
    if (part.trim() !== part || !Number.isFinite(value) || (positive && value <= 0)) {
      throw new CliUsageError(
        `--${option} ${given(text)}: ${name} must be ${positive ? 'a number > 0' : 'a number'}, got ${given(part)}; write ${CONCEPT_SYNTAX}.`,
      );
    }
    return value;
  };
  const beta = number('BETA (the gate\'s bias)', parts[0]!, false);
  const tau = parts.length > 1 ? number('TAU (the gate\'s temperature)', parts[1]!, true) : undefined;
  return { file, ...(beta !== undefined && { beta }), ...(tau !== undefined && { tau }) };
}
