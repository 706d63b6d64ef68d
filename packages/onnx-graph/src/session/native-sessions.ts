import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { SessionCreateError } from './errors.js';
import { checkSessionOptions, resolveExecutionProviders, sessionOptionsKey, toOrtSessionOptions, warningSink, type SessionOptions } from './options.js';
import { describeSessionValues, type SessionInputInfo, type SessionOutputInfo } from './value-info.js';

/** One onnxruntime session and what was learnt about it at load. */
export interface NativeSession {
  readonly session: ort.InferenceSession;
  readonly modelPath: string;
  readonly inputs: readonly SessionInputInfo[];
  readonly outputs: readonly SessionOutputInfo[];
  readonly outputNames: readonly string[];
  /** The execution providers the session was created with, `cpu` last. */
  readonly executionProviders: readonly string[];
}

/** A shared native session: handed to every holder of the same model file and options. */
export interface SharedSession {
  refs: number;
  readonly key: string;
  readonly ready: Promise<NativeSession>;
}

/**
 * Native sessions by (model file identity, options). onnxruntime-node leaks native memory when
 * sessions are created and released over and over, so two `OnnxSession.create` calls for the same
 * unchanged file with the same options share one session; it is released with its last holder.
 */
const sessions = new Map<string, SharedSession>();

/** A reference to the session for `modelPath` with `options`, created if none is open. */
export function acquireSession(modelPath: string, options: SessionOptions): SharedSession {
  checkSessionOptions(options);
  const file = path.resolve(modelPath);
  let stat: fs.Stats;
  let real: string;
  try {
    real = fs.realpathSync(file);
    stat = fs.statSync(real);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? String(cause)})`;
    throw new SessionCreateError(file, `${why}; pass the path of an .onnx model.`, { cause });
  }
  if (!stat.isFile()) throw new SessionCreateError(file, 'it is not a file; pass the path of an .onnx model (e.g. unet/model.onnx).');
  // The file's size and modification time are part of the key: a rewritten model gets a new session.
  const key = `${real}\u0000${stat.size}\u0000${stat.mtimeMs}\u0000${sessionOptionsKey(options)}`;
  const existing = sessions.get(key);
  if (existing !== undefined) {
    existing.refs++;
    return existing;
  }
  const shared: SharedSession = { refs: 1, key, ready: createNative(file, options) };
  sessions.set(key, shared);
  shared.ready.catch(() => {
    if (sessions.get(key) === shared) sessions.delete(key);
  });
  return shared;
}

/** Drops one reference; the native session is released with the last one. */
export async function releaseSession(shared: SharedSession): Promise<void> {
  shared.refs--;
  if (shared.refs > 0) return;
  if (sessions.get(shared.key) === shared) sessions.delete(shared.key);
  const native = await shared.ready;
  await native.session.release();
}

/** Number of native sessions open in this process (for tests and diagnostics). */
export function openSessionCount(): number {
  return sessions.size;
}

async function createNative(modelPath: string, options: SessionOptions): Promise<NativeSession> {
  const warn = warningSink(options);
  const supported = ort.listSupportedBackends().map((b) => b.name.toLowerCase());
  let providers = resolveExecutionProviders(options.executionProviders, supported, warn);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, toOrtSessionOptions(options, providers));
  } catch (error) {
    if (providers.length === 1) throw wrapCreateError(modelPath, error);
    // A provider that is listed but cannot start (CUDA without its libraries, no GPU adapter):
    // run on the CPU rather than not at all, and say so.
    const failed = providers.filter((p) => p !== 'cpu');
    try {
      session = await ort.InferenceSession.create(modelPath, toOrtSessionOptions(options, ['cpu']));
    } catch (cpuError) {
      throw wrapCreateError(modelPath, cpuError);
    }
    warn(`Execution provider(s) ${failed.join(', ')} failed to start for ${modelPath} (${firstLine(error)}); running on cpu instead.`);
    providers = ['cpu'];
  }
  try {
    const { inputs, outputs } = await describeSessionValues(session, modelPath);
    return { session, modelPath, inputs, outputs, outputNames: [...session.outputNames], executionProviders: providers };
  } catch (error) {
    await session.release();
    throw error;
  }
}

function wrapCreateError(modelPath: string, error: unknown): SessionCreateError {
  return new SessionCreateError(modelPath, `onnxruntime says: ${firstLine(error)}`, { cause: error });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n')[0] ?? message;
}
