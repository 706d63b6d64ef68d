/**
 * Errors thrown by `@perfusion/unet`. Every error extends {@link UnetError}, so a caller can catch
 * the package's failures with one `instanceof` check, or one kind by its class. Messages say what
 * was wrong, where, and what to do about it. Failures inside onnxruntime reach the caller as the
 * session wrapper's errors (from `@perfusion/onnx-graph`), which list every feed's name, dtype and dims.
 */

/** The dims of a session input as onnxruntime declares them: numbers are fixed, names are symbolic. */
export type DeclaredShape = readonly (number | string | null)[];

/** One model input as the errors describe it. */
export interface InputDescription {
  readonly name: string;
  readonly dtype: string;
  readonly shape: DeclaredShape;
}

/** Base class of every error this package throws. */
export class UnetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `[batch, 4, height, width]`-style text for a declared shape; `?` for unknown dims. */
export function formatDeclaredShape(shape: DeclaredShape): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function describeInputs(inputs: readonly InputDescription[]): string {
  if (inputs.length === 0) return '(none)';
  return inputs.map((i) => `${i.name} (${i.dtype} ${formatDeclaredShape(i.shape)})`).join(', ');
}

/**
 * The model's inputs are not those of a diffusers UNet: an expected input is missing, has an
 * unsupported dtype or rank, or the output is ambiguous. The message lists every input the model has.
 */
export class UnetModelInputsError extends UnetError {
  constructor(
    readonly modelPath: string,
    readonly problem: string,
    readonly inputs: readonly InputDescription[],
  ) {
    super(
      `${modelPath}: ${problem}. The model's inputs are: ${describeInputs(inputs)}. ` +
        `A diffusers UNet export needs 'sample' (float32 or float16, [batch, channels, height, width]), ` +
        `'timestep' (int64, int32, float32 or float16; [batch], [1] or a scalar) and 'encoder_hidden_states' ` +
        `(float32 or float16, [batch, sequence, width]); export it with optimum or torch.onnx with those names.`,
    );
  }
}

/** A number the UNet needs (input channels, cross-attention width) is neither in the graph nor in config.json. */
export class UnetConfigError extends UnetError {}

/** No UNet model file where one was expected. */
export class UnetModelNotFoundError extends UnetError {
  constructor(
    readonly modelDir: string,
    readonly tried: readonly string[],
  ) {
    super(
      `No UNet model in ${modelDir}: looked for ${tried.join(' and ')}. Pass a diffusers/optimum ONNX ` +
        `model folder (with unet/model.onnx) or the unet folder itself.`,
    );
  }
}

/** `sample` is not a float32 `[batch, inChannels, height, width]` tensor that the model accepts. */
export class SampleShapeError extends UnetError {
  constructor(
    readonly shape: readonly number[],
    reason: string,
  ) {
    super(`predictNoise: sample has shape [${shape.join(', ')}]; ${reason}`);
  }
}

/** `encoderHiddenStates` is not a float32 `[rows, sequence, width]` tensor. */
export class HiddenStatesShapeError extends UnetError {
  constructor(
    readonly shape: readonly number[],
    reason: string,
  ) {
    super(`predictNoise: encoderHiddenStates has shape [${shape.join(', ')}]; ${reason}`);
  }
}

/** The hidden states' width is not the model's cross-attention width (e.g. SD-2 embeddings given to an SD-1 UNet). */
export class HiddenStatesWidthError extends HiddenStatesShapeError {
  constructor(
    shape: readonly number[],
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      shape,
      `its width is ${actual} but the model's cross-attention width is ${expected}. ` +
        `Encode the prompt with the text encoder that belongs to this UNet (hidden size ${expected}).`,
    );
  }
}

/** The number of hidden-state rows does not fit the sample's batch and the guidance scale. */
export class BatchMismatchError extends UnetError {
  constructor(
    readonly sampleBatch: number,
    readonly hiddenStateRows: number,
    readonly guidanceScale: number,
  ) {
    const expected =
      guidanceScale > 1
        ? `${2 * sampleBatch} rows (${sampleBatch} unconditional rows first, then ${sampleBatch} conditional rows) because guidanceScale ${guidanceScale} > 1`
        : `${sampleBatch} conditional rows (or ${2 * sampleBatch}, unconditional first, of which the conditional half is used) because guidanceScale ${guidanceScale} ≤ 1`;
    super(
      `predictNoise: sample has batch ${sampleBatch} but encoderHiddenStates has ${hiddenStateRows} rows; expected ${expected}.`,
    );
  }
}

/** A dimension the model declares as fixed does not fit this call (e.g. a graph exported for batch 2 run with batch 1). */
export class UnetModelShapeError extends UnetError {}

/** `extraFeeds` names an input the model lacks or one UNet feeds itself, or misses an input the model needs. */
export class ExtraFeedError extends UnetError {}

/** An argument outside what the function accepts (a non-finite guidance scale or timestep, an unknown option). */
export class UnetArgumentError extends UnetError {}

/** The UNet was used after `release()`. */
export class UnetReleasedError extends UnetError {
  constructor(readonly modelPath: string) {
    super(`${modelPath}: this UNet was released; create a new one (UNet.create) to run the model again.`);
  }
}
