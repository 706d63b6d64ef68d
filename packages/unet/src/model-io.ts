import type { DType } from '@perfusion/tensor-core';
import { formatDeclaredShape, UnetConfigError, UnetModelInputsError, type DeclaredShape, type InputDescription } from './errors.js';
import type { UnetConfig } from './unet-config.js';

/** The element types a UNet's float inputs (`sample`, `encoder_hidden_states`) may have. */
export type FloatDType = 'float32' | 'float16';

/** The element types accepted for `timestep`: diffusers/optimum exports use int64, some float32 or float16, a few int32. */
export type TimestepDType = 'int64' | 'int32' | 'float32' | 'float16';

/**
 * How the model takes its timestep: `batch` — one per row (`[batch]`, the diffusers/optimum export);
 * `one` — a single value (`[1]`) broadcast over the batch; `scalar` — a rank-0 tensor.
 */
export type TimestepLayout = 'batch' | 'one' | 'scalar';

/** The names of the inputs a diffusers UNet export has. */
export const SAMPLE_INPUT = 'sample';
export const TIMESTEP_INPUT = 'timestep';
export const HIDDEN_STATES_INPUT = 'encoder_hidden_states';
/** The output name optimum and diffusers exports use; a model with another single output works too. */
export const NOISE_OUTPUT = 'out_sample';

/** What a UNet session takes and returns, read from its metadata (and config.json where the graph is silent). */
export interface UnetIo {
  readonly sample: { readonly dtype: FloatDType; readonly shape: DeclaredShape };
  readonly timestep: { readonly dtype: TimestepDType; readonly layout: TimestepLayout; readonly shape: DeclaredShape };
  readonly hiddenStates: { readonly dtype: FloatDType; readonly shape: DeclaredShape };
  readonly outputName: string;
  /** Inputs beyond the three standard ones: `predictNoise` must get them in `extraFeeds`. */
  readonly extraInputs: readonly InputDescription[];
  readonly inChannels: number;
  readonly crossAttentionDim: number;
}

const FLOAT_DTYPES: readonly string[] = ['float32', 'float16'];
const TIMESTEP_DTYPES: readonly string[] = ['int64', 'int32', 'float32', 'float16'];

/**
 * Reads the UNet's interface from the session's input metadata. Numbers come from the graph first
 * (`sample`'s dim 1, `encoder_hidden_states`' dim 2) and from `config` where the graph leaves them
 * symbolic; where both give a number and they differ, the graph wins and `onWarning` hears of it.
 * Throws {@link UnetModelInputsError} (listing the model's inputs) for missing inputs or unsupported
 * dtypes/ranks, and {@link UnetConfigError} when a number is known from neither source.
 */
export function inspectUnetIo(
  modelPath: string,
  inputs: readonly { readonly name: string; readonly dtype: DType | string; readonly shape: DeclaredShape; readonly rankKnown?: boolean }[],
  outputNames: readonly string[],
  config: UnetConfig | undefined,
  onWarning?: (message: string) => void,
): UnetIo {
  const fail = (problem: string): never => {
    throw new UnetModelInputsError(modelPath, problem, inputs);
  };
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const missing = [SAMPLE_INPUT, TIMESTEP_INPUT, HIDDEN_STATES_INPUT].filter((n) => !byName.has(n));
  if (missing.length > 0) fail(`the model has no input named ${missing.map((n) => `'${n}'`).join(', ')}`);
  // A model that declares no shape for an input (rankKnown false) is taken to have the usual rank with open dims.
  const withRank = <T extends { shape: DeclaredShape; rankKnown?: boolean }>(input: T, rank: number): T =>
    input.rankKnown === false ? { ...input, shape: new Array<null>(rank).fill(null) } : input;
  const sample = withRank(byName.get(SAMPLE_INPUT)!, 4);
  const timestep = withRank(byName.get(TIMESTEP_INPUT)!, 1);
  const hidden = withRank(byName.get(HIDDEN_STATES_INPUT)!, 3);

  const sampleDType = floatDType(sample, fail);
  const hiddenDType = floatDType(hidden, fail);
  if (sample.shape.length !== 4) fail(`'sample' has rank ${sample.shape.length} (${formatDeclaredShape(sample.shape)}); expected [batch, channels, height, width]`);
  if (hidden.shape.length !== 3) fail(`'encoder_hidden_states' has rank ${hidden.shape.length} (${formatDeclaredShape(hidden.shape)}); expected [batch, sequence, width]`);
  if (!TIMESTEP_DTYPES.includes(timestep.dtype)) fail(`'timestep' has dtype ${timestep.dtype}; supported: ${TIMESTEP_DTYPES.join(', ')}`);
  const layout = timestepLayout(timestep.shape, fail);

  let outputName: string;
  if (outputNames.includes(NOISE_OUTPUT)) outputName = NOISE_OUTPUT;
  else if (outputNames.length === 1) outputName = outputNames[0]!;
  else outputName = fail(`the model has outputs ${outputNames.join(', ') || '(none)'} and none is named '${NOISE_OUTPUT}'`);

  const standard = new Set([SAMPLE_INPUT, TIMESTEP_INPUT, HIDDEN_STATES_INPUT]);
  return {
    sample: { dtype: sampleDType, shape: sample.shape },
    timestep: { dtype: timestep.dtype as TimestepDType, layout, shape: timestep.shape },
    hiddenStates: { dtype: hiddenDType, shape: hidden.shape },
    outputName,
    extraInputs: inputs.filter((i) => !standard.has(i.name)).map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
    inChannels: resolveNumber(modelPath, 'input channels', `'sample' dim 1`, sample.shape[1], 'in_channels', config?.inChannels, onWarning),
    crossAttentionDim: resolveNumber(
      modelPath,
      'cross-attention width',
      `'encoder_hidden_states' dim 2`,
      hidden.shape[2],
      'cross_attention_dim',
      config?.crossAttentionDim,
      onWarning,
    ),
  };
}

function floatDType(input: { name: string; dtype: string }, fail: (problem: string) => never): FloatDType {
  if (!FLOAT_DTYPES.includes(input.dtype)) fail(`'${input.name}' has dtype ${input.dtype}; expected float32 or float16`);
  return input.dtype as FloatDType;
}

function timestepLayout(shape: DeclaredShape, fail: (problem: string) => never): TimestepLayout {
  if (shape.length === 0) return 'scalar';
  if (shape.length !== 1) return fail(`'timestep' has shape ${formatDeclaredShape(shape)}; expected [batch], [1] or a scalar`);
  return shape[0] === 1 ? 'one' : 'batch';
}

function resolveNumber(
  modelPath: string,
  what: string,
  graphWhere: string,
  graphDim: number | string | null | undefined,
  configKey: string,
  configValue: number | undefined,
  onWarning: ((message: string) => void) | undefined,
): number {
  const fromGraph = typeof graphDim === 'number' && graphDim > 0 ? graphDim : undefined;
  if (fromGraph !== undefined) {
    if (configValue !== undefined && configValue !== fromGraph) {
      onWarning?.(`${modelPath}: config.json says ${configKey} = ${configValue} but the graph's ${graphWhere} is ${fromGraph}; using ${fromGraph}.`);
    }
    return fromGraph;
  }
  if (configValue !== undefined) return configValue;
  throw new UnetConfigError(
    `${modelPath}: cannot tell the ${what}: the graph's ${graphWhere} is symbolic (${String(graphDim)}) and there is no ` +
      `'${configKey}' in a config.json next to the model. Add the diffusers unet/config.json beside model.onnx.`,
  );
}
