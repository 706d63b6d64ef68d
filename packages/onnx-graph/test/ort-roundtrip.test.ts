import { describe, expect, it } from 'vitest';
import { encodeModel, readModelSync } from '../src/index.js';
import { diffusersUnetIo, maxAbsDiff, runModel } from './helpers/ort.js';
import { diffusersUnetModel } from './helpers/paths.js';

describe('a model re-encoded by the codec still runs as exported', () => {
  it('the diffusers UNet after decode → encode reproduces PyTorch’s output within 2e-5', async () => {
    const bytes = encodeModel(readModelSync(diffusersUnetModel));
    const { feeds, expected } = diffusersUnetIo();
    const { out_sample } = await runModel(bytes, feeds);
    expect(out_sample!.dims).toEqual([2, 4, 8, 8]);
    // io_out.npy is PyTorch's own output for these inputs (see the fixture's README).
    expect(maxAbsDiff(out_sample!.data, expected)).toBeLessThan(2e-5);
  });
});
