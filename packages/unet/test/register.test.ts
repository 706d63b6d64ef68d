import 'reflect-metadata';
import * as path from 'node:path';
import { container as rootContainer, inject, injectable } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '@perfusion/fixtures';
import { registerUnet, UNET, UNet } from '../src/index.js';
import { writeProbeModel } from './helpers/probe-model.js';

@injectable()
class NeedsUnet {
  constructor(@inject(UNET) readonly unet: UNet) {}
}

describe('registerUnet', () => {
  it('registers one UNet of the model folder under UNET, with the options given', async () => {
    const dir = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
    const container = rootContainer.createChildContainer();
    await registerUnet(container, { modelDir: dir, guidanceBatching: 'sequential', session: { intraOpNumThreads: 1 } });
    const unet = container.resolve(UNET);
    try {
      expect(unet).toBeInstanceOf(UNet);
      expect(unet.modelPath).toBe(path.join(dir, 'unet', 'model.onnx'));
      expect(unet.guidanceBatching).toBe('sequential');
      expect(container.resolve(NeedsUnet).unet).toBe(unet);
      expect(rootContainer.isRegistered(UNET)).toBe(false); // no global registration
    } finally {
      await unet.release();
    }
  });

  it('accepts the unet folder itself and passes session options through', async () => {
    const modelPath = writeProbeModel({ config: { in_channels: 4 } });
    const warnings: string[] = [];
    const container = rootContainer.createChildContainer();
    await registerUnet(container, { modelDir: path.dirname(modelPath), session: { executionProviders: ['no-such-ep', 'cpu'], onWarning: (m) => warnings.push(m) } });
    const unet = container.resolve(UNET);
    try {
      expect(unet.modelPath).toBe(modelPath);
      expect(unet.guidanceBatching).toBe('batched');
      expect(unet.session.executionProviders).toEqual(['cpu']);
      expect(warnings.join('\n')).toMatch(/no-such-ep/);
    } finally {
      await unet.release();
    }
  });
});
