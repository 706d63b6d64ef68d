/**
 * Edits the SD-1.5-size fixture UNet (3.4 GB of external weights) the way UNet surgery will: reads
 * the graph, splices a node after each of the 16 cross-attention key projections, adds outputs and
 * writes the edited model into another folder with the weights hard-linked, never loaded into JS.
 * Prints the process's peak RSS against the weight bytes, then runs the edited model once in
 * onnxruntime-node to show the references still resolve. With `--determinism` it also generates a
 * second sd15 folder from the same seed and compares every file's SHA-256.
 *
 *   npm run bench:sd15-edit -w @perfusion/bench -- <sd15-dir> [--determinism]
 *
 * <sd15-dir> is generated first (in a child process, so its memory does not count) if it does not hold
 * a finished folder. Needs ~4 GB of disk per folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { create } from '@bufbuild/protobuf';
import {
  addGraphOutput,
  GraphIndex,
  insertNodes,
  NodeProtoSchema,
  readModel,
  replaceUses,
  validateGraph,
  writeModel,
} from '@perfusion/onnx-graph';

const GB = 1024 ** 3;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values, positionals } = parseArgs({
  options: { determinism: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (positionals[0] === undefined) {
  console.error('usage: sd15-graph-edit.ts <sd15-dir> [--determinism]');
  process.exit(2);
}
const dir = path.resolve(positionals[0]);

function generate(out: string): void {
  const started = performance.now();
  execFileSync(process.execPath, [path.join(repoRoot, 'tools/fixtures/bin/perfusion-fixtures.mjs'), '--preset', 'sd15', '--seed', '0', '--out', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`generated ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (!fs.existsSync(path.join(dir, 'model_index.json'))) generate(dir);

const unetDir = path.join(dir, 'unet');
const weightBytes = fs
  .readdirSync(unetDir)
  .filter((f) => f !== 'model.onnx' && !f.endsWith('.json'))
  .reduce((sum, f) => sum + fs.statSync(path.join(unetDir, f)).size, 0);

const started = performance.now();
const model = await readModel(path.join(unetDir, 'model.onnx'));
let graph = model.graph!;
const keyProjections = new GraphIndex(graph).nodesByName(/\/attn2\/to_k\/MatMul$/);
for (const projection of keyProjections) {
  const keys = projection.output[0]!;
  const marked = `${keys}/perfusion_probe`;
  const probe = create(NodeProtoSchema, { name: `${projection.name}/Probe`, opType: 'Identity', input: [keys], output: [marked] });
  graph = insertNodes(graph, [probe], { after: projection.name });
  graph = replaceUses(graph, keys, marked, { except: [probe.name] });
  graph = addGraphOutput(graph, marked, 'float32', ['batch', 'sequence', null]);
}
validateGraph(graph);
model.graph = graph;
const editedDir = path.join(path.dirname(dir), `${path.basename(dir)}-edited`, 'unet');
fs.rmSync(path.dirname(editedDir), { recursive: true, force: true });
await writeModel(model, path.join(editedDir, 'model.onnx'), { externalDataFrom: unetDir });
const editSeconds = (performance.now() - started) / 1000;
const peakRss = process.resourceUsage().maxRSS * 1024;
const sameInode = fs.statSync(path.join(editedDir, 'weights.pb')).ino === fs.statSync(path.join(unetDir, 'weights.pb')).ino;

console.log(`cross-attention key projections found: ${keyProjections.length}`);
console.log(`edit (read, 16 inserts, 16 outputs, validate, write): ${editSeconds.toFixed(2)} s`);
console.log(`UNet weight bytes: ${(weightBytes / GB).toFixed(2)} GB; peak RSS of this process: ${(peakRss / GB).toFixed(3)} GB; ratio ${(peakRss / weightBytes).toFixed(3)}`);
console.log(`weights file shared with the source (same inode): ${sameInode}`);

const ort = await import('onnxruntime-node');
const loadStarted = performance.now();
const session = await ort.InferenceSession.create(path.join(editedDir, 'model.onnx'));
const loadSeconds = (performance.now() - loadStarted) / 1000;
const latents = new ort.Tensor('float32', new Float32Array(4 * 8 * 8).fill(0.1), [1, 4, 8, 8]);
const text = new ort.Tensor('float32', new Float32Array(77 * 768).fill(0.01), [1, 77, 768]);
const timestep = new ort.Tensor('int64', BigInt64Array.from([500n]), [1]);
const out = await session.run({ sample: latents, timestep, encoder_hidden_states: text });
const probes = Object.keys(out).filter((k) => k.endsWith('/perfusion_probe'));
const finite = Array.from(out.out_sample!.data as Float32Array).every(Number.isFinite);
console.log(`edited model loads in ORT (${loadSeconds.toFixed(1)} s) and runs: out_sample ${JSON.stringify(out.out_sample!.dims)} finite=${finite}, ${probes.length} probe outputs`);
await session.release();

if (values.determinism) {
  const second = `${dir}-again`;
  fs.rmSync(second, { recursive: true, force: true });
  generate(second);
  const files = (root: string): string[] =>
    fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort();
  // Streamed in chunks: the UNet weights file is larger than a Node buffer may be.
  const hash = (file: string): string => {
    const digest = createHash('sha256');
    const chunk = Buffer.alloc(64 << 20);
    const fd = fs.openSync(file, 'r');
    try {
      for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) digest.update(chunk.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
    return digest.digest('hex');
  };
  const names = files(dir);
  const differing = names.filter((f) => hash(path.join(dir, f)) !== hash(path.join(second, f)));
  const sameList = JSON.stringify(names) === JSON.stringify(files(second));
  console.log(`determinism: ${names.length} files, same file list: ${sameList}, files differing: ${differing.length ? differing.join(', ') : 'none'}`);
  fs.rmSync(second, { recursive: true, force: true });
}
