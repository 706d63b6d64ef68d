import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scaleAttentionKeys } from '../examples/scale-attention-keys.js';
import {
  externalizeInitializers,
  GraphIndex,
  readModelSync,
  tensorFromProto,
  writeModelSync,
} from '../src/index.js';
import { diffusersUnetIo, maxAbsDiff, runModelMany } from './helpers/ort.js';
import type { Outputs } from './helpers/ort.js';
import { diffusersUnetModel, tempDir } from './helpers/paths.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the README example', () => {
  it('is the code of examples/scale-attention-keys.ts, verbatim', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(packageDir, 'examples/scale-attention-keys.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('patches a UNet with external weights without copying them, and the result runs', async () => {
    const root = tempDir();
    const original = path.join(root, 'unet');
    const edited = path.join(root, 'unet-patched');
    // The diffusers fixture with its weights moved to unet/model.onnx_data, like a large export.
    const source = readModelSync(diffusersUnetModel);
    externalizeInitializers(source, original, 'model.onnx_data');
    writeModelSync(source, path.join(original, 'model.onnx'));

    const outputs = await scaleAttentionKeys(path.join(original, 'model.onnx'), path.join(edited, 'model.onnx'));
    expect(outputs).toHaveLength(16);

    const a = fs.statSync(path.join(original, 'model.onnx_data'));
    const b = fs.statSync(path.join(edited, 'model.onnx_data'));
    expect([b.dev, b.ino]).toEqual([a.dev, a.ino]);

    const { feeds, expected, ehs } = diffusersUnetIo();
    const scale = (k: number) => ({ ...feeds, key_scale: new ort.Tensor('float32', new Float32Array([k]), [1]) });
    const [one, two] = (await runModelMany(path.join(edited, 'model.onnx'), [scale(1), scale(2)])) as [Outputs, Outputs];
    // Scale 1 changes nothing: PyTorch's output within the fixture's 2e-5.
    expect(maxAbsDiff(one.out_sample!.data, expected)).toBeLessThan(2e-5);

    // The first exposed keys equal encoder_hidden_states · W_k, computed here from the weight
    // read back out of the external file.
    const patched = readModelSync(path.join(edited, 'model.onnx'));
    const projection = new GraphIndex(patched.graph!).requireNode(
      '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k/MatMul',
    );
    const wk = tensorFromProto(new GraphIndex(patched.graph!).initializer(projection.input[1]!)!, edited);
    const [inDim, outDim] = wk.shape as [number, number];
    const rows = ehs.length / inDim;
    const keys = new Float32Array(rows * outDim);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outDim; j++) {
        let s = 0;
        for (let i = 0; i < inDim; i++) s += ehs[r * inDim + i]! * (wk.data as Float32Array)[i * outDim + j]!;
        keys[r * outDim + j] = s;
      }
    }
    const firstKeys = one[outputs[0]!]!;
    expect(firstKeys.dims).toEqual([2, 77, outDim]);
    expect(maxAbsDiff(firstKeys.data, keys)).toBeLessThan(1e-5);

    expect(maxAbsDiff(two[outputs[0]!]!.data, keys.map((v) => 2 * v))).toBeLessThan(2e-5);
    expect(maxAbsDiff(two.out_sample!.data, expected)).toBeGreaterThan(1e-3);
  });
});
