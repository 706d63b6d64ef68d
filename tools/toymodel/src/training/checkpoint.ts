import * as fs from 'node:fs';
import { readSafetensors, writeFileAtomic, writeSafetensors, type RawSafetensorsTensor } from '@perfusion/concept-format';
import { BaseTrainingError } from '../errors.js';

/** Everything a stage needs to continue where it stopped. */
export interface StageCheckpoint {
  readonly step: number;
  /**
   * The step at which AdamW's moments (and the learning rate's warm-up) started: 0 for a run from
   * scratch, the seeding step for a run seeded from a model folder, whose moments were not kept.
   */
  readonly restartedAt?: number;
  /** Weights the optimiser updates, by parameter name. */
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Exponential moving average of the weights (what is exported). */
  readonly average: ReadonlyMap<string, Float32Array>;
  /** AdamW's moments, float64 so a resumed run continues exactly. */
  readonly moments: ReadonlyMap<string, { m: Float64Array; v: Float64Array }>;
  /** Mean loss of each logged interval, for the record. */
  readonly losses: readonly number[];
  /** The settings the run was started with; a resume with other settings is refused. */
  readonly settings: Readonly<Record<string, unknown>>;
}

const FORMAT = 'perfusion-toymodel-checkpoint';

const raw = (values: Float32Array | Float64Array): RawSafetensorsTensor => ({
  dtype: values instanceof Float64Array ? 'F64' : 'F32',
  shape: [values.length],
  bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
});

/** Writes the checkpoint atomically: a run killed while writing keeps the previous one. */
export async function writeStageCheckpoint(file: string, checkpoint: StageCheckpoint): Promise<void> {
  const tensors: [string, RawSafetensorsTensor][] = [];
  for (const [name, values] of checkpoint.weights) tensors.push([`weights/${name}`, raw(values)]);
  for (const [name, values] of checkpoint.average) tensors.push([`average/${name}`, raw(values)]);
  for (const [name, { m, v }] of checkpoint.moments) tensors.push([`m/${name}`, raw(m)], [`v/${name}`, raw(v)]);
  const metadata = { format: FORMAT, step: String(checkpoint.step), restartedAt: String(checkpoint.restartedAt ?? 0), losses: JSON.stringify(checkpoint.losses), settings: JSON.stringify(checkpoint.settings) };
  await writeFileAtomic(file, writeSafetensors(tensors, metadata, { target: file }));
}

/** Reads a checkpoint written by {@link writeStageCheckpoint}; undefined when `file` does not exist. */
export function readStageCheckpoint(file: string): StageCheckpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = readSafetensors(new Uint8Array(fs.readFileSync(file)), file);
  if (parsed.metadata['format'] !== FORMAT) throw new BaseTrainingError(`${file} is not a toy-model training checkpoint (format '${parsed.metadata['format']}').`);
  const weights = new Map<string, Float32Array>();
  const average = new Map<string, Float32Array>();
  const m = new Map<string, Float64Array>();
  const v = new Map<string, Float64Array>();
  for (const tensor of parsed.tensors) {
    const key = tensor.name;
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const data = tensor.bytes;
    const copy32 = () => new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const copy64 = () => new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    if (kind === 'weights') weights.set(name, copy32());
    else if (kind === 'average') average.set(name, copy32());
    else if (kind === 'm') m.set(name, copy64());
    else if (kind === 'v') v.set(name, copy64());
  }
  const moments = new Map([...m].map(([name, mm]) => [name, { m: mm, v: v.get(name)! }]));
  return {
    step: Number(parsed.metadata['step']),
    restartedAt: Number(parsed.metadata['restartedAt'] ?? 0),
    weights,
    average,
    moments,
    losses: JSON.parse(parsed.metadata['losses'] ?? '[]') as number[],
    settings: JSON.parse(parsed.metadata['settings'] ?? '{}') as Record<string, unknown>,
  };
}
