import * as fs from 'node:fs/promises';
import { readSafetensors, writeFileAtomic, writeSafetensors, type RawSafetensorsTensor, type SafetensorsFile } from '@perfusion/concept-format';
import { CheckpointError } from './errors.js';
import type { TrainingState } from './training-state.js';

/** `format` metadata value of a checkpoint file. */
export const CHECKPOINT_FORMAT = 'perfusion-training-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** A checkpoint as read back: the state and the run settings it was written with. */
export interface Checkpoint {
  readonly state: TrainingState;
  /** The run's identity (settings, model, data) as {@link writeCheckpoint} got it. */
  readonly run: Readonly<Record<string, unknown>>;
}

/**
 * Writes the state to `file` atomically (temporary file, then rename): a run killed while writing
 * leaves the previous checkpoint intact. Moments and i* are stored as F64, so a resumed run
 * continues with exactly the numbers an uninterrupted one would have.
 */
export async function writeCheckpoint(file: string, state: TrainingState, run: Readonly<Record<string, unknown>>): Promise<void> {
  const tensors: [string, RawSafetensorsTensor][] = [];
  state.valueTargets.forEach((values, i) => tensors.push([`value_targets/${i}`, f32(values)]));
  tensors.push(['embedding', f32(state.embedding)]);
  tensors.push(['input_encoding', f64(state.inputEncoding)]);
  tensors.push(['super_encoding', f32(state.superEncoding)]);
  state.moments.forEach((moments, i) => {
    tensors.push([`adam/${i}/m`, f64(moments.m)]);
    tensors.push([`adam/${i}/v`, f64(moments.v)]);
  });
  const metadata = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    step: String(state.step),
    layers: String(state.valueTargets.length),
    run: JSON.stringify(run),
    losses: JSON.stringify(state.losses),
  };
  await writeFileAtomic(file, writeSafetensors(tensors, metadata, { target: file }));
}

/** Reads a checkpoint written by {@link writeCheckpoint}. @throws CheckpointError naming the file and the problem. */
export async function readCheckpoint(file: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new CheckpointError(`Cannot read the checkpoint ${file}: ${(error as Error).message}. Pass the file a previous run wrote (see --checkpoint / checkpointEvery).`, { cause: error });
  }
  let parsed: SafetensorsFile;
  try {
    parsed = readSafetensors(bytes, file);
  } catch (error) {
    throw new CheckpointError(`${file} is not a training checkpoint: ${(error as Error).message}`, { cause: error });
  }
  const meta = parsed.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${file} is not a training checkpoint (its metadata 'format' is ${JSON.stringify(meta.format ?? null)}, expected '${CHECKPOINT_FORMAT}'); a concept file cannot be resumed from.`);
  }
  if (meta.version !== String(CHECKPOINT_VERSION)) {
    throw new CheckpointError(`${file} is a version ${meta.version} checkpoint; this trainer reads version ${CHECKPOINT_VERSION}. Start a new run.`);
  }
  const step = Number(meta.step);
  const layers = Number(meta.layers);
  if (!Number.isSafeInteger(step) || step < 0 || !Number.isSafeInteger(layers) || layers < 1) {
    throw new CheckpointError(`${file}: the metadata 'step' (${meta.step}) or 'layers' (${meta.layers}) is not a valid count.`);
  }
  const run = parseJson(file, 'run', meta.run);
  const losses = parseJson(file, 'losses', meta.losses);
  if (typeof run !== 'object' || run === null || Array.isArray(run) || !Array.isArray(losses) || losses.length !== step || !losses.every((l) => typeof l === 'number')) {
    throw new CheckpointError(`${file}: the metadata 'run' must be an object and 'losses' a list of ${step} numbers.`);
  }
  const read = (name: string, dtype: 'F32' | 'F64'): Float32Array | Float64Array => {
    const tensor = parsed.tensor(name);
    if (tensor === undefined || tensor.dtype !== dtype) {
      throw new CheckpointError(`${file}: tensor '${name}' is ${tensor === undefined ? 'missing' : `${tensor.dtype}, not ${dtype}`}; the file is damaged or not from this trainer.`);
    }
    const copy = new Uint8Array(tensor.bytes); // a copy with its own aligned buffer (Buffer.slice would give a view)
    return dtype === 'F32' ? new Float32Array(copy.buffer, 0, copy.byteLength / 4) : new Float64Array(copy.buffer, 0, copy.byteLength / 8);
  };
  const valueTargets = Array.from({ length: layers }, (_, i) => read(`value_targets/${i}`, 'F32') as Float32Array);
  // One group per value target and the embedding's, then the trained keys' encoding's in a run that trains them.
  let groups = layers + 1;
  while (parsed.tensor(`adam/${groups}/m`) !== undefined) groups += 1;
  const moments = Array.from({ length: groups }, (_, i) => ({ m: read(`adam/${i}/m`, 'F64') as Float64Array, v: read(`adam/${i}/v`, 'F64') as Float64Array }));
  return {
    run: run as Record<string, unknown>,
    state: {
      step,
      valueTargets,
      embedding: read('embedding', 'F32') as Float32Array,
      inputEncoding: read('input_encoding', 'F64') as Float64Array,
      superEncoding: read('super_encoding', 'F32') as Float32Array,
      moments,
      losses: losses as number[],
    },
  };
}

/** The settings that differ between a checkpoint's run and the current one (`steps` may differ). */
export function runDifferences(saved: Readonly<Record<string, unknown>>, current: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
  keys.delete('steps');
  return [...keys].filter((key) => JSON.stringify(saved[key]) !== JSON.stringify(current[key])).sort();
}

function parseJson(file: string, key: string, text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new CheckpointError(`${file}: the metadata '${key}' is not valid JSON; the file is damaged.`);
  }
}

function f32(values: Float32Array): RawSafetensorsTensor {
  return { dtype: 'F32', shape: [values.length], bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice() };
}

function f64(values: Float64Array): RawSafetensorsTensor {
  return { dtype: 'F64', shape: [values.length], bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice() };
}
