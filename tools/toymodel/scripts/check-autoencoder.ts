/**
 * How well the trained autoencoder reconstructs scenes: the analyser's accuracy on decoded random
 * scenes, the pattern fidelity of decoded patterned stars, and a grid (originals above reconstructions):
 *   npm run check-autoencoder -w @perfusion/toymodel -- [--work DIR] [--out DIR] [--count N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng, type RgbImage } from '@perfusion/encoders';
import { OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { analyseImage, measurePattern, renderScene, tileImages, type Scene } from '@perfusion/toyworld';
import { randomImageBatch } from '../src/data/scene-batches.js';
import { accuracyOf, formatShapeTallies, shapeTallies } from '../src/evaluate/accuracy.js';
import { trainedNetwork } from '../src/graphs/with-weights.js';
import { readStageCheckpoint, type StageCheckpoint } from '../src/training/checkpoint.js';
import { checkpointFile } from '../src/training/train-stage.js';
import { autoencodeScenes } from '../src/evaluate/round-trip.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({
  options: {
    work: { type: 'string', default: path.resolve(import.meta.dirname, '../.work') },
    out: { type: 'string' },
    count: { type: 'string', default: '200' },
  },
});
const dir = path.join(resolveUserPath(values.work!), 'autoencoder');
const checkpoint = readStageCheckpoint(checkpointFile(dir));
if (!checkpoint) throw new Error(`no autoencoder checkpoint in ${dir}`);
// The decoder stage's decoder, when there is one, is the one export-model ships.
const decoderDir = path.join(resolveUserPath(values.work!), 'decoder');
const decoderCheckpoint = readStageCheckpoint(checkpointFile(decoderDir));
const sources: Record<'vae_encoder' | 'vae_decoder', [StageCheckpoint, string]> = {
  vae_encoder: [checkpoint, dir],
  vae_decoder: decoderCheckpoint ? [decoderCheckpoint, decoderDir] : [checkpoint, dir],
};
const files: Record<string, string> = {};
for (const component of ['vae_encoder', 'vae_decoder'] as const) {
  const [source, sourceDir] = sources[component];
  files[component] = path.join(sourceDir, `${component}.check.onnx`);
  await writeModel(trainedNetwork(source, component, sourceDir), files[component]!);
}
const encoder = await OnnxSession.create(files.vae_encoder!);
const decoder = await OnnxSession.create(files.vae_decoder!);
const roundTrip = (scenes: readonly Scene[]): Promise<RgbImage[]> => autoencodeScenes(encoder, decoder, scenes);
const { scenes } = randomImageBatch(new Rng(99), Number(values.count));
const decoded = await roundTrip(scenes);
const scores = decoded.map((image, i) => analyseImage(image, scenes[i]).score!);
console.log(`autoencoder step ${checkpoint.step}${decoderCheckpoint ? `, decoder step ${decoderCheckpoint.step}` : ''}: reconstructions read back as ${JSON.stringify(accuracyOf(scores))}`);
console.log(`shape right per kind:\n${formatShapeTallies(shapeTallies(scenes, scores))}`);
const patterned: Scene[] = (['center', 'left', 'top'] as const).flatMap((position) =>
  ([4, 8] as const).flatMap((cell) =>
    (['checkered', 'striped'] as const).map((kind) => ({ background: 'orange', objects: [{ shape: 'star', colour: 'yellow', size: 'large', position, pattern: { kind, colour: 'black', cell } }] }) as Scene),
  ),
);
const patternedDecoded = await roundTrip(patterned);
for (const [i, image] of patternedDecoded.entries()) {
  const object = patterned[i]!.objects[0]!;
  console.log(`${object.pattern!.kind} (${object.pattern!.cell} px) star ${object.position}: fidelity ${measurePattern(image, ['yellow', 'black']).fidelity.toFixed(3)} (original ${measurePattern(renderScene(patterned[i]!), ['yellow', 'black']).fidelity.toFixed(3)})`);
}
if (values.out !== undefined) {
  const out = resolveUserPath(values.out);
  fs.mkdirSync(out, { recursive: true });
  const originals = [...scenes.slice(0, 10), ...patterned].map(renderScene);
  const grid = tileImages([...originals, ...decoded.slice(0, 10), ...patternedDecoded], originals.length);
  fs.writeFileSync(path.join(out, 'autoencoder.png'), encodePng(grid));
}
await encoder.release();
await decoder.release();
