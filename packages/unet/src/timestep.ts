import { float32ToFloat16, Tensor } from '@perfusion/tensor-core';
import { UnetArgumentError, UnetModelShapeError } from './errors.js';
import type { TimestepDType, TimestepLayout } from './model-io.js';

/**
 * The `timestep` feed for one call of `rows` rows, in the dtype and layout the model declares.
 * Integer dtypes take the value truncated toward zero, as diffusers' ONNX pipeline does
 * (`np.array([t], dtype=np.int64)`): schedulers such as Euler give fractional timesteps, and a
 * model exported with an integer timestep cannot take them. float16 rounds to nearest even
 * (exact for integers up to 2048).
 */
export function timestepTensor(value: number, dtype: TimestepDType, layout: TimestepLayout, rows: number, fixedRows?: number): Tensor {
  if (!Number.isFinite(value)) {
    throw new UnetArgumentError(`predictNoise: timestep is ${value}; pass a finite number (a value of scheduler.timesteps).`);
  }
  const count = layout === 'batch' ? rows : 1;
  if (layout === 'batch' && fixedRows !== undefined && fixedRows !== rows) {
    throw new UnetModelShapeError(
      `predictNoise: the model's 'timestep' has a fixed length of ${fixedRows} but this call runs ${rows} rows; ` +
        `re-export the UNet with a dynamic batch, or pick the guidanceBatching that runs ${fixedRows} rows.`,
    );
  }
  const shape = layout === 'scalar' ? [] : [count];
  switch (dtype) {
    case 'int64': {
      const t = Math.trunc(value);
      if (!Number.isSafeInteger(t)) throw new UnetArgumentError(`predictNoise: timestep ${value} does not fit an int64 timestep as a safe integer.`);
      return new Tensor('int64', new BigInt64Array(count).fill(BigInt(t)), shape);
    }
    case 'int32': {
      const t = Math.trunc(value);
      if (t < -0x80000000 || t > 0x7fffffff) throw new UnetArgumentError(`predictNoise: timestep ${value} does not fit the model's int32 timestep.`);
      return new Tensor('int32', new Int32Array(count).fill(t), shape);
    }
    case 'float32':
      return new Tensor('float32', new Float32Array(count).fill(value), shape);
    case 'float16':
      return new Tensor('float16', new Uint16Array(count).fill(float32ToFloat16(value)), shape);
  }
}

/** Keeps the last timestep tensor and returns it again while the value and row count repeat. */
export class TimestepCache {
  private last: { value: number; rows: number; tensor: Tensor } | undefined;

  constructor(
    private readonly dtype: TimestepDType,
    private readonly layout: TimestepLayout,
    private readonly fixedRows: number | undefined,
  ) {}

  get(value: number, rows: number): Tensor {
    const last = this.last;
    if (last !== undefined && Object.is(last.value, value) && last.rows === rows) return last.tensor;
    const tensor = timestepTensor(value, this.dtype, this.layout, rows, this.fixedRows);
    this.last = { value, rows, tensor };
    return tensor;
  }
}
