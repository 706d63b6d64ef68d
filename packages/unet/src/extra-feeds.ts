import { Tensor, toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import { ExtraFeedError, formatDeclaredShape, type InputDescription } from './errors.js';
import { HIDDEN_STATES_INPUT, SAMPLE_INPUT, TIMESTEP_INPUT } from './model-io.js';
import { rowsOf } from './rows.js';

/** Which rows of the batch-aligned extra feeds one model call gets. */
export interface RowRange {
  readonly start: number;
  readonly count: number;
}

/**
 * The extra feeds of one `predictNoise` call, checked against the model and split by rows.
 *
 * The rule: an extra feed is **batch-aligned** when the model declares its first dimension
 * symbolic (not a fixed number) and the tensor's first dimension equals the number of rows of
 * `encoderHiddenStates` given to `predictNoise` (2B under guidance: unconditional rows first, then
 * conditional ones, in the same order as the hidden states). A batch-aligned feed follows the
 * hidden states: whole in the batched call, its first half with the unconditional call and its
 * second half with the conditional call in sequential mode, its second half when guidance is off
 * but 2B rows were given. Every other extra feed (per-model constants, fixed-size inputs) goes
 * unchanged to every call.
 *
 * float32 feeds for float16 inputs are converted to float16 (and float16 feeds for float32 inputs
 * widened), so callers keep float32 at the boundary as for `sample`.
 */
export class ExtraFeeds {
  private readonly aligned: [string, Tensor][] = [];
  private readonly shared: [string, Tensor][] = [];

  constructor(feeds: Readonly<Record<string, Tensor>> | undefined, modelInputs: readonly InputDescription[], hiddenStateRows: number) {
    const declared = new Map(modelInputs.map((i) => [i.name, i]));
    const given = feeds ?? {};
    for (const [name, tensor] of Object.entries(given)) {
      if (name === SAMPLE_INPUT || name === TIMESTEP_INPUT || name === HIDDEN_STATES_INPUT) {
        throw new ExtraFeedError(
          `predictNoise: extraFeeds has '${name}', which predictNoise feeds itself from its own arguments; remove it from extraFeeds.`,
        );
      }
      const input = declared.get(name);
      if (input === undefined) {
        throw new ExtraFeedError(
          `predictNoise: extraFeeds has '${name}' but the model has no such input; its extra inputs are ${describe(modelInputs)}.`,
        );
      }
      const converted = convertFloat(tensor, input.dtype);
      const isAligned = typeof input.shape[0] !== 'number' && converted.rank >= 1 && converted.shape[0] === hiddenStateRows;
      (isAligned ? this.aligned : this.shared).push([name, converted]);
    }
    const missing = modelInputs.filter((i) => !Object.hasOwn(given, i.name));
    if (missing.length > 0) {
      throw new ExtraFeedError(
        `predictNoise: the model also needs ${describe(missing)}, which predictNoise does not make; pass ${missing.length === 1 ? 'it' : 'them'} in extraFeeds.`,
      );
    }
  }

  /** The feeds for a call that runs hidden-state rows `rows` (every row when omitted). */
  forRows(rows?: RowRange): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const [name, tensor] of this.shared) feeds[name] = tensor;
    for (const [name, tensor] of this.aligned) feeds[name] = rows === undefined ? tensor : rowsOf(tensor, rows.start, rows.count);
    return feeds;
  }

  /** Names of the feeds treated as batch-aligned (for tests and diagnostics). */
  get alignedNames(): string[] {
    return this.aligned.map(([name]) => name);
  }
}

function convertFloat(tensor: Tensor, target: string): Tensor {
  if (tensor.dtype === 'float32' && target === 'float16') {
    return new Tensor('float16', toFloat16Array(tensor.data as Float32Array), tensor.shape);
  }
  if (tensor.dtype === 'float16' && target === 'float32') {
    return new Tensor('float32', toFloat32Array(tensor.data as Uint16Array), tensor.shape);
  }
  return tensor;
}

function describe(inputs: readonly InputDescription[]): string {
  if (inputs.length === 0) return '(none)';
  return inputs.map((i) => `'${i.name}' (${i.dtype} ${formatDeclaredShape(i.shape)})`).join(', ');
}
