import { create } from '@bufbuild/protobuf';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addGraphOutput,
  encodeModel,
  GraphIndex,
  insertNodes,
  readModel,
  removeDeadNodes,
  setExternalData,
  tensorFromProto,
  TensorProtoSchema,
  topologicalSort,
  validateGraph,
  writeModel,
} from '../src/index.js';
import { tempDir } from './helpers/paths.js';
import { graph, model, node } from './helpers/tiny-models.js';

// SD-1.5's UNet has 686 weight tensors and about 859.5 M parameters (3.44 GB in fp32). This model
// has the same count and total size, in a sparse weight file that costs no disk space. A reader
// that touched the weights would have to page in gigabytes, which the memory check would catch.
const TENSORS = 686;
const SHAPE = [1280, 979];
const TENSOR_BYTES = SHAPE[0]! * SHAPE[1]! * 4;

function writeSparseSd15SizeModel(dir: string): { stride: number; marked: Map<number, Float32Array> } {
  const stride = Math.ceil(TENSOR_BYTES / 4096) * 4096;
  const nodes = [];
  const initializer = [];
  for (let i = 0; i < TENSORS; i++) {
    const w = create(TensorProtoSchema, { name: `w${i}`, dataType: 1, dims: SHAPE.map(BigInt) });
    setExternalData(w, { location: 'model.onnx_data', offset: i * stride, length: TENSOR_BYTES });
    initializer.push(w);
    nodes.push(node('Mul', [`h${i}`, `w${i}`], [`h${i + 1}`], `/blocks.${i}/Mul`));
  }
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, 'model.onnx_data'), 'w');
  fs.ftruncateSync(fd, TENSORS * stride);
  // Recognisable values in three tensors, one of them past the 2 GiB offset.
  const marked = new Map<number, Float32Array>();
  for (const i of [0, 600, TENSORS - 1]) {
    const values = new Float32Array(SHAPE[0]! * SHAPE[1]!);
    for (let k = 0; k < values.length; k++) values[k] = (k % 1000) + i;
    fs.writeSync(fd, new Uint8Array(values.buffer), 0, TENSOR_BYTES, i * stride);
    marked.set(i, values);
  }
  fs.closeSync(fd);
  const g = graph(nodes, { h0: SHAPE }, { [`h${TENSORS}`]: SHAPE }, initializer);
  fs.writeFileSync(path.join(dir, 'model.onnx'), encodeModel(model(g)));
  return { stride, marked };
}

describe('editing an SD-1.5-size model with external data', () => {
  it('reads, edits and writes it elsewhere with memory far below its weight size, keeping the weights file', async () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    const edited = path.join(root, 'edited');
    const { stride, marked } = writeSparseSd15SizeModel(original);
    const weightBytes = fs.statSync(path.join(original, 'model.onnx_data')).size;
    expect(weightBytes).toBeGreaterThan(3.4e9);
    expect(600 * stride).toBeGreaterThan(2 ** 31);

    const rssBefore = process.memoryUsage().rss;
    const loaded = await readModel(path.join(original, 'model.onnx'));
    let g = loaded.graph!;
    const index = new GraphIndex(g);
    expect(index.nodesByName(/^\/blocks\.\d+\/Mul$/)).toHaveLength(TENSORS);
    g = insertNodes(g, [node('Sigmoid', ['h343'], ['gate'], '/probe/Sigmoid')]);
    g = addGraphOutput(g, 'gate', 'float32', SHAPE);
    g = topologicalSort(removeDeadNodes(g));
    validateGraph(g);
    loaded.graph = g;
    await writeModel(loaded, path.join(edited, 'model.onnx'), { externalDataFrom: original });
    const rssGrowth = process.memoryUsage().rss - rssBefore;

    expect(rssGrowth).toBeLessThan(weightBytes / 20);
    const a = fs.statSync(path.join(original, 'model.onnx_data'));
    const b = fs.statSync(path.join(edited, 'model.onnx_data'));
    expect([b.dev, b.ino]).toEqual([a.dev, a.ino]);
    expect(fs.statSync(path.join(edited, 'model.onnx')).size).toBeLessThan(1e6);

    const reread = await readModel(path.join(edited, 'model.onnx'));
    expect(reread.graph!.output.map((o) => o.name)).toEqual([`h${TENSORS}`, 'gate']);
    const byName = new GraphIndex(reread.graph!);
    for (const [i, values] of marked) {
      const tensor = tensorFromProto(byName.initializer(`w${i}`)!, edited);
      expect(tensor.shape).toEqual(SHAPE);
      const got = tensor.data as Float32Array;
      expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(values.buffer))).toBe(0);
    }
  });
});
