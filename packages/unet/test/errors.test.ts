import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ensureFixture } from '@perfusion/fixtures';
import { Tensor } from '@perfusion/tensor-core';
import {
  BatchMismatchError,
  HiddenStatesShapeError,
  HiddenStatesWidthError,
  SampleShapeError,
  UnetArgumentError,
  UnetConfigError,
  UnetModelInputsError,
  UnetModelNotFoundError,
  UnetModelShapeError,
  UnetReleasedError,
  UNet,
  UnetError,
  registerUnet,
  type GuidanceBatching,
} from '../src/index.js';
import { writeProbeModel } from './helpers/probe-model.js';
import { normalTensor } from './helpers/tensors.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error;
}

describe('predictNoise argument errors (tiny fixture)', () => {
  let unet: UNet;
  beforeAll(async () => {
    unet = await UNet.create(path.join(await ensureFixture('tiny', { dtype: 'float32', seed: 0 }), 'unet', 'model.onnx'));
  });
  afterAll(async () => {
    await unet?.release();
  });
  const sample = normalTensor(1, [1, 4, 8, 8]);
  const states = normalTensor(2, [2, 77, 32]);

  it('wrong channel count', async () => {
    const error = await rejection(unet.predictNoise({ sample: normalTensor(1, [1, 3, 8, 8]), timestep: 1, encoderHiddenStates: states, guidanceScale: 7 }));
    expect(error).toBeInstanceOf(SampleShapeError);
    expect(error).toBeInstanceOf(UnetError);
    expect(error.message).toBe('predictNoise: sample has shape [1, 3, 8, 8]; it has 3 channels but the model takes 4 (dim 1: [batch, 4, height, width]).');
  });

  it('wrong sample rank and dtype', async () => {
    await expect(unet.predictNoise({ sample: normalTensor(1, [4, 8, 8]), timestep: 1, encoderHiddenStates: states, guidanceScale: 7 })).rejects.toThrow(
      /sample has shape \[4, 8, 8\]; expected rank 4, \[batch, 4, height, width\]/,
    );
    const half = Tensor.zeros('float16', [1, 4, 8, 8]) as unknown as Tensor<'float32'>;
    await expect(unet.predictNoise({ sample: half, timestep: 1, encoderHiddenStates: states, guidanceScale: 7 })).rejects.toThrow(
      /its dtype is float16; pass float32 latents/,
    );
  });

  it('hidden-state width that is not the cross-attention width names both numbers', async () => {
    const error = await rejection(unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: normalTensor(2, [2, 77, 768]), guidanceScale: 7 }));
    expect(error).toBeInstanceOf(HiddenStatesWidthError);
    expect(error).toMatchObject({ expected: 32, actual: 768 });
    expect(error.message).toMatch(/encoderHiddenStates has shape \[2, 77, 768\]; its width is 768 but the model's cross-attention width is 32/);
  });

  it('hidden states of the wrong rank', async () => {
    const error = await rejection(unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: normalTensor(2, [77, 32]), guidanceScale: 7 }));
    expect(error).toBeInstanceOf(HiddenStatesShapeError);
    expect(error.message).toMatch(/expected rank 3, \[rows, sequence, 32\]/);
  });

  it.each([
    [7.5, 1, /sample has batch 1 but encoderHiddenStates has 1 rows; expected 2 rows \(1 unconditional rows first, then 1 conditional rows\) because guidanceScale 7.5 > 1/],
    [7.5, 3, /sample has batch 1 but encoderHiddenStates has 3 rows; expected 2 rows/],
    [1, 3, /expected 1 conditional rows \(or 2, unconditional first, of which the conditional half is used\) because guidanceScale 1 ≤ 1/],
  ])('guidance %s with %i hidden-state rows for batch 1', async (guidanceScale, rows, message) => {
    const error = await rejection(unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: normalTensor(2, [rows, 77, 32]), guidanceScale }));
    expect(error).toBeInstanceOf(BatchMismatchError);
    expect(error).toMatchObject({ sampleBatch: 1, hiddenStateRows: rows, guidanceScale });
    expect(error.message).toMatch(message);
  });

  it('non-finite guidance scale and timestep', async () => {
    await expect(unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: states, guidanceScale: Number.NaN })).rejects.toThrow(UnetArgumentError);
    await expect(unet.predictNoise({ sample, timestep: Number.POSITIVE_INFINITY, encoderHiddenStates: states, guidanceScale: 7 })).rejects.toThrow(
      /timestep is Infinity; pass a finite number/,
    );
  });

  it('an error does not block the calls queued after it', async () => {
    const [bad, good] = await Promise.allSettled([
      unet.predictNoise({ sample: normalTensor(1, [1, 3, 8, 8]), timestep: 1, encoderHiddenStates: states, guidanceScale: 7 }),
      unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: states, guidanceScale: 7 }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
  });
});

describe('model errors', () => {
  it('a model without the expected inputs lists what it has', async () => {
    const modelPath = writeProbeModel({ names: { encoder_hidden_states: 'text_embeds' }, config: { in_channels: 4 } });
    const error = await rejection(UNet.create(modelPath));
    expect(error).toBeInstanceOf(UnetModelInputsError);
    expect(error.message).toContain(`${modelPath}: the model has no input named 'encoder_hidden_states'. The model's inputs are: `);
    expect(error.message).toContain('sample (float32 [batch, 4, height, width]), timestep (int64 [batch]), text_embeds (float32 [batch, sequence, 8])');
  });

  it('an unsupported timestep dtype', async () => {
    const error = await rejection(UNet.create(writeProbeModel({ timestepDType: 'uint8', config: { in_channels: 4 } })));
    expect(error).toBeInstanceOf(UnetModelInputsError);
    expect(error.message).toMatch(/'timestep' has dtype uint8; supported: int64, int32, float32, float16/);
  });

  it('channels neither in the graph nor in config.json', async () => {
    const modelPath = writeProbeModel({ sampleShape: ['batch', 'channels', 'height', 'width'] });
    const error = await rejection(UNet.create(modelPath));
    expect(error).toBeInstanceOf(UnetConfigError);
    expect(error.message).toMatch(/cannot tell the input channels: the graph's 'sample' dim 1 is symbolic \(channels\) and there is no 'in_channels'/);
    // ... and from config.json when it is there.
    const withConfig = writeProbeModel({ sampleShape: ['batch', 'channels', 'height', 'width'], config: { in_channels: 4 } });
    const unet = await UNet.create(withConfig);
    expect(unet.inChannels).toBe(4);
    await unet.release();
  });

  it('config.json that disagrees with the graph: the graph wins, with a warning', async () => {
    const warnings: string[] = [];
    const unet = await UNet.create(writeProbeModel({ config: { in_channels: 4, cross_attention_dim: 768 } }), { session: { onWarning: (m) => warnings.push(m) } });
    expect(unet.crossAttentionDim).toBe(8);
    expect(warnings.join('\n')).toMatch(/config.json says cross_attention_dim = 768 but the graph's 'encoder_hidden_states' dim 2 is 8; using 8/);
    await unet.release();
  });

  it('malformed config.json', async () => {
    const modelPath = writeProbeModel();
    writeFileSync(path.join(path.dirname(modelPath), 'config.json'), '{ not json');
    await expect(UNet.create(modelPath)).rejects.toThrow(/config.json: not valid JSON/);
  });

  it('a model with a fixed batch run with another batch', async () => {
    const unet = await UNet.create(writeProbeModel({ sampleShape: [2, 4, 'height', 'width'], hiddenShape: [2, 'sequence', 8], timestepShape: [2] }), {
      guidanceBatching: 'sequential',
    });
    try {
      const sample = normalTensor(1, [1, 4, 2, 2]);
      const error = await rejection(unet.predictNoise({ sample, timestep: 1, encoderHiddenStates: normalTensor(2, [2, 5, 8]), guidanceScale: 2 }));
      expect(error).toBeInstanceOf(UnetModelShapeError);
      expect(error.message).toMatch(/the model's 'sample' has a fixed batch of 2 but this call runs 1 rows \(guidanceBatching 'sequential'\)/);
    } finally {
      await unet.release();
    }
  });

  it('a model with fixed latent size', async () => {
    const unet = await UNet.create(writeProbeModel({ sampleShape: ['batch', 4, 8, 8] }));
    try {
      const error = await rejection(unet.predictNoise({ sample: normalTensor(1, [1, 4, 4, 4]), timestep: 1, encoderHiddenStates: normalTensor(2, [1, 5, 8]), guidanceScale: 1 }));
      expect(error).toBeInstanceOf(SampleShapeError);
      expect(error.message).toMatch(/the model was exported for a latent height of 8 \(pixels 64\), not 4/);
    } finally {
      await unet.release();
    }
  });

  it('use after release', async () => {
    const unet = await UNet.create(writeProbeModel({ config: { in_channels: 4 } }));
    await unet.release();
    await unet.release(); // idempotent
    await expect(unet.predictNoise({ sample: normalTensor(1, [1, 4, 2, 2]), timestep: 1, encoderHiddenStates: normalTensor(2, [1, 5, 8]), guidanceScale: 1 })).rejects.toThrow(
      UnetReleasedError,
    );
  });

  it('an unknown guidanceBatching', async () => {
    await expect(UNet.create(writeProbeModel(), { guidanceBatching: 'parallel' as GuidanceBatching })).rejects.toThrow(
      /guidanceBatching is 'parallel'; expected 'batched' or 'sequential'/,
    );
  });

  it('a folder without a UNet', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unet-empty-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const error = await rejection(registerUnet({ register: () => undefined } as never, { modelDir: dir }));
    expect(error).toBeInstanceOf(UnetModelNotFoundError);
    expect(error.message).toContain(`looked for ${path.join(dir, 'unet', 'model.onnx')} and ${path.join(dir, 'model.onnx')}`);
  });
});
