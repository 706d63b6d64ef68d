import type { InferenceSession } from 'onnxruntime-node';
import { SessionError } from './errors.js';

/** How onnxruntime should run a model. Every field is optional; the defaults are onnxruntime's own. */
export interface SessionOptions {
  /**
   * Execution providers in order of preference, e.g. `['cuda', 'cpu']`. Default `['cpu']`. Names
   * this onnxruntime-node build does not know, and providers that fail to load (a CUDA build
   * without its libraries), fall back to `cpu` with a warning through {@link onWarning}.
   */
  executionProviders?: string[];
  /** Threads used inside one operator (onnxruntime default: one per physical core). */
  intraOpNumThreads?: number;
  /** Threads running independent operators at once (only with `executionMode: 'parallel'`). */
  interOpNumThreads?: number;
  /** Graph optimisations applied at load. onnxruntime's default is `'all'`. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** The CPU memory arena (default on): faster repeated runs, more resident memory. */
  enableCpuMemArena?: boolean;
  /** Memory pattern planning (default on): pre-plans buffers for inputs of a fixed shape. */
  enableMemPattern?: boolean;
  /** `'sequential'` (default) or `'parallel'` operator execution. */
  executionMode?: 'sequential' | 'parallel';
  /**
   * Raw onnxruntime session configuration entries (`AddSessionConfigEntry`), e.g.
   * `{ 'session.use_device_allocator_for_initializers': '1' }`.
   */
  configEntries?: Readonly<Record<string, string>>;
  /** Receives warnings (provider fallbacks); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

/** The warning sink of `options`. */
export function warningSink(options: SessionOptions): (message: string) => void {
  return options.onWarning ?? ((message) => process.emitWarning(message, { type: 'OnnxSessionWarning' }));
}

/** Throws a {@link SessionError} naming the first option whose value is out of range. */
export function checkSessionOptions(options: SessionOptions): void {
  for (const key of ['intraOpNumThreads', 'interOpNumThreads'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new SessionError(`SessionOptions.${key} must be a non-negative integer (0 = onnxruntime's default), got ${String(value)}.`);
    }
  }
  const level = options.graphOptimizationLevel;
  if (level !== undefined && !(OPTIMIZATION_LEVELS as readonly string[]).includes(level)) {
    throw new SessionError(`SessionOptions.graphOptimizationLevel must be one of ${OPTIMIZATION_LEVELS.join(', ')}, got '${String(level)}'.`);
  }
  const mode = options.executionMode;
  if (mode !== undefined && mode !== 'sequential' && mode !== 'parallel') {
    throw new SessionError(`SessionOptions.executionMode must be 'sequential' or 'parallel', got '${String(mode)}'.`);
  }
  if (options.executionProviders !== undefined && !Array.isArray(options.executionProviders)) {
    throw new SessionError(`SessionOptions.executionProviders must be an array of provider names such as ['cuda', 'cpu'].`);
  }
}

/**
 * The provider list to try: the requested names (lower-cased, duplicates removed) that this
 * onnxruntime-node build supports, always ending with `cpu`. Unknown names are reported to `warn`.
 */
export function resolveExecutionProviders(
  requested: readonly string[] | undefined,
  supported: readonly string[],
  warn: (message: string) => void,
): string[] {
  const out: string[] = [];
  for (const raw of requested ?? ['cpu']) {
    const name = String(raw).toLowerCase();
    if (out.includes(name)) continue;
    if (name !== 'cpu' && !supported.includes(name)) {
      warn(`Execution provider '${raw}' is not available in this onnxruntime-node build (available: ${supported.join(', ')}); using cpu instead.`);
      continue;
    }
    out.push(name);
  }
  if (!out.includes('cpu')) out.push('cpu');
  return out;
}

/** onnxruntime's SessionOptions for `options` with the given provider list. */
export function toOrtSessionOptions(options: SessionOptions, executionProviders: readonly string[]): InferenceSession.SessionOptions {
  const ort: InferenceSession.SessionOptions = { executionProviders };
  if (options.intraOpNumThreads !== undefined) ort.intraOpNumThreads = options.intraOpNumThreads;
  if (options.interOpNumThreads !== undefined) ort.interOpNumThreads = options.interOpNumThreads;
  if (options.graphOptimizationLevel !== undefined) ort.graphOptimizationLevel = options.graphOptimizationLevel;
  if (options.enableCpuMemArena !== undefined) ort.enableCpuMemArena = options.enableCpuMemArena;
  if (options.enableMemPattern !== undefined) ort.enableMemPattern = options.enableMemPattern;
  if (options.executionMode !== undefined) ort.executionMode = options.executionMode;
  if (options.configEntries !== undefined) ort.extra = { ...options.configEntries };
  return ort;
}

/** A stable text key of everything in `options` that changes how a session is built. */
export function sessionOptionsKey(options: SessionOptions): string {
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const entries = options.configEntries === undefined ? [] : Object.keys(options.configEntries).sort(byName).map((k) => [k, options.configEntries![k]]);
  return JSON.stringify([
    options.executionProviders?.map((p) => String(p).toLowerCase()) ?? null,
    options.intraOpNumThreads ?? null,
    options.interOpNumThreads ?? null,
    options.graphOptimizationLevel ?? null,
    options.enableCpuMemArena ?? null,
    options.enableMemPattern ?? null,
    options.executionMode ?? null,
    entries,
  ]);
}
