import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GraphBuilder, writeModelSync } from '@perfusion/onnx-graph';
import type { DType } from '@perfusion/tensor-core';
import { afterAll } from 'vitest';

// Folders made by writeProbeModel, deleted after the test file that made them.
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A "probe" UNet: a graph with a UNet's interface whose output a test can compute by hand, so
 * that batching, row order, guidance and timestep feeding are checked exactly rather than
 * against another run of the same code:
 *
 *   out_sample[r] = 2·sample[r] + 0.001·timestep[r] + mean(encoder_hidden_states[r]) (+ row_bias[r] + global_bias)
 *
 * (timestep broadcast when it is [1] or a scalar). The hidden states' mean differs per row, so
 * swapping the unconditional and conditional rows, or feeding the wrong half, changes the output.
 */
export interface ProbeOptions {
  readonly dtype?: 'float32' | 'float16';
  readonly timestepDType?: DType;
  readonly timestepShape?: (number | string)[];
  readonly sampleShape?: (number | string)[];
  readonly hiddenShape?: (number | string)[];
  readonly width?: number;
  /** Adds `row_bias` float ['batch'] (batch-aligned) and `global_bias` float [1] (shared). */
  readonly extraInputs?: boolean;
  /** Input names to use instead of the standard ones (to build models a UNet must refuse). */
  readonly names?: Partial<Record<'sample' | 'timestep' | 'encoder_hidden_states', string>>;
  /** Written as config.json beside the model when given. */
  readonly config?: Record<string, unknown>;
}

export const PROBE_WIDTH = 8;

/** Writes the probe model into a new temporary folder and returns the model path. */
export function writeProbeModel(options: ProbeOptions = {}): string {
  const dtype = options.dtype ?? 'float32';
  const width = options.width ?? PROBE_WIDTH;
  const names = { sample: 'sample', timestep: 'timestep', encoder_hidden_states: 'encoder_hidden_states', ...options.names };
  const b = new GraphBuilder({ name: 'probe_unet', dtype });
  const sample = b.input(names.sample, dtype, options.sampleShape ?? ['batch', 4, 'height', 'width']);
  const timestep = b.input(names.timestep, options.timestepDType ?? 'int64', options.timestepShape ?? ['batch']);
  const hidden = b.input(names.encoder_hidden_states, dtype, options.hiddenShape ?? ['batch', 'sequence', width]);
  const t = b.reshape(b.cast(timestep, dtype), [-1, 1, 1, 1]);
  const mean = b.reshape(b.reduceMean(hidden, [1, 2], true), [-1, 1, 1, 1]);
  let out = b.add(b.add(b.mul(sample, 2), b.mul(t, 0.001)), mean);
  if (options.extraInputs === true) {
    const rowBias = b.input('row_bias', dtype, ['batch']);
    const globalBias = b.input('global_bias', dtype, [1]);
    out = b.add(b.add(out, b.reshape(rowBias, [-1, 1, 1, 1])), globalBias);
  }
  b.output(out, 'out_sample', dtype, ['batch', 4, 'height', 'width']);
  const dir = mkdtempSync(path.join(tmpdir(), 'unet-probe-'));
  made.push(dir);
  const modelPath = path.join(dir, 'model.onnx');
  writeModelSync(b.build(), modelPath);
  if (options.config !== undefined) writeFileSync(path.join(dir, 'config.json'), JSON.stringify(options.config));
  return modelPath;
}

/** What the probe computes for one row, in float64. */
export function probeRow(sampleRow: Float32Array, timestep: number, hiddenRow: Float32Array, bias = 0): Float64Array {
  let sum = 0;
  for (const v of hiddenRow) sum += v;
  const mean = sum / hiddenRow.length;
  return Float64Array.from(sampleRow, (s) => 2 * s + 0.001 * timestep + mean + bias);
}
