/**
 * Perfusion overhead: the time of one guided UNet step (`UNet.predictNoise`, guidance 7.5, batch 1)
 * on the original model against the Perfusion-patched one (`patchUnetForPerfusion`: every
 * cross-attention K and V projection becomes `e·W + [S | G]·rows`) fed 0, 1 and 4 concepts.
 *
 *   npm run bench:perfusion-overhead -w @perfusion/bench -- [--model tiny|sd15|DIR] [--size PX] [--calls N]
 *       [--warmup N] [--guidance-batching batched|sequential] [--json]
 *
 * The same latents, timestep and text states go to every variant; the concepts' coefficients
 * ([2, 77, 2M]: a sim and a gate per token and concept) and rows ([2M, width] per projection) are
 * random numbers of the right shapes, which cost what real ones cost. The variants run
 * interleaved so that drift of a shared machine (other jobs, thermal state) spreads over all of
 * them: each round calls the unpatched model before each patched variant (U, Pa, U, Pb, U, Pc, the
 * variants' order rotated every round), so every call follows one of the other session — running
 * one session several times in a row would hand it warmer caches. The medians are compared. Sessions run as `perfusion` runs them (`CLI_PIPELINE_SETTINGS`: no CPU memory arena,
 * no memory-pattern planning, guidance as two calls of one row) unless `--guidance-batching` says
 * otherwise.
 *
 * `tiny` and `sd15` are the fixtures (`ensureFixture`, generated in a child process on first use).
 * Patching writes (once) a cached copy of the graph beside the model, `unet/.perfusion-cache/`,
 * with the weights hard-linked, not copied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { failWith, integerOption, median, modelFolder } from './bench-support.js';
import type { SessionOptions } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { noConceptFeeds, patchUnetForPerfusion, perfusionFeeds, resolveUnetModelPath, UNet, type GuidanceBatching, type LayerRows, type PatchedUnet } from '@perfusion/unet';

const GUIDANCE = 7.5;
const TOKENS = 77;
/** Concept counts the patched model is timed with. */
const CONCEPT_COUNTS = [0, 1, 4] as const;

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    size: { type: 'string' },
    calls: { type: 'string' },
    warmup: { type: 'string' },
    'guidance-batching': { type: 'string', default: 'sequential' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});

const fail: (message: string) => never = failWith('perfusion-overhead');

const integer = (name: string, text: string | undefined, fallback: number, min = 0): number => integerOption(fail, name, text, fallback, min);

const modelDir = (model: string): string => modelFolder(fail, model);


/** One timed configuration: a UNet and the extra feeds it gets. */
interface Variant {
  readonly name: string;
  readonly concepts: number | undefined;
  readonly unet: UNet;
  readonly extraFeeds: Record<string, Tensor> | undefined;
  readonly ms: number[];
}

/** Feeds for M random concepts: coefficients [2, 77, 2M] (sims near 0, a few tokens near 1; gates in (0, 1)) and rows per layer. */
function conceptFeeds(patched: PatchedUnet, concepts: number, rng: Rng): Record<string, Tensor> {
  if (concepts === 0) return noConceptFeeds(patched, 2, TOKENS);
  const coefficients = new Float32Array(2 * TOKENS * 2 * concepts);
  for (let i = 0; i < coefficients.length; i++) coefficients[i] = rng.uniform() * 0.2;
  const layerRows = new Map<string, LayerRows>();
  for (const layer of patched.layers) {
    const scale = 1 / Math.sqrt(layer.dim);
    const rows = (): Float32Array => rng.fillNormal(new Float32Array(2 * concepts * layer.width)).map((x) => x * scale);
    layerRows.set(layer.key, { k: rows(), v: rows() });
  }
  return perfusionFeeds(patched, { coefficients: new Tensor('float32', coefficients, [2, TOKENS, 2 * concepts]), layerRows });
}

interface Result {
  readonly model: string;
  readonly latents: string;
  readonly batching: GuidanceBatching;
  readonly layers: number;
  readonly patchS: number;
  readonly patchReused: boolean;
  readonly createS: { unpatched: number; patched: number };
  readonly calls: number;
  readonly warmup: number;
  readonly variants: { name: string; concepts: number | undefined; medianMs: number; minMs: number; ratio: number; ms: number[] }[];
}

async function measure(): Promise<Result> {
  const dir = modelDir(values.model);
  const small = values.model === 'tiny' || values.model.endsWith('tiny');
  const calls = integer('calls', values.calls, small ? 50 : 3, 1);
  const warmup = integer('warmup', values.warmup, small ? 5 : 1);
  const batching = values['guidance-batching'];
  if (batching !== 'batched' && batching !== 'sequential') fail('--guidance-batching must be batched or sequential');
  const session: SessionOptions = { enableCpuMemArena: false, enableMemPattern: false };

  const sourcePath = await resolveUnetModelPath(dir);
  const patchStarted = performance.now();
  const patched = await patchUnetForPerfusion(sourcePath);
  const patchS = (performance.now() - patchStarted) / 1000;

  let started = performance.now();
  const original = await UNet.create(sourcePath, { session, guidanceBatching: batching });
  const createUnpatched = (performance.now() - started) / 1000;
  started = performance.now();
  const edited = await UNet.create(patched.modelPath, { session, guidanceBatching: batching });
  const createPatched = (performance.now() - started) / 1000;

  const config = JSON.parse(fs.readFileSync(path.join(path.dirname(sourcePath), 'config.json'), 'utf8')) as { sample_size?: number };
  const side = values.size === undefined ? (config.sample_size ?? 64) : integer('size', values.size, 0, 8) / 8;
  if (!Number.isInteger(side)) fail(`--size must be a multiple of 8, got ${values.size}`);

  const rng = new Rng(0);
  const sample = new Tensor('float32', rng.fillNormal(new Float32Array(original.inChannels * side * side)), [1, original.inChannels, side, side]);
  const encoderHiddenStates = new Tensor('float32', rng.fillNormal(new Float32Array(2 * TOKENS * original.crossAttentionDim)), [2, TOKENS, original.crossAttentionDim]);

  const variants: Variant[] = [
    { name: 'unpatched', concepts: undefined, unet: original, extraFeeds: undefined, ms: [] },
    ...CONCEPT_COUNTS.map((m) => ({ name: `patched, ${m} concept${m === 1 ? '' : 's'}`, concepts: m, unet: edited, extraFeeds: conceptFeeds(patched, m, rng), ms: [] })),
  ];
  const step = (v: Variant) => v.unet.predictNoise({ sample, timestep: 981, encoderHiddenStates, guidanceScale: GUIDANCE, ...(v.extraFeeds && { extraFeeds: v.extraFeeds }) });

  // Each round alternates the two sessions: unpatched, patched variant a, unpatched, variant b, ...
  // (variants in an order rotated every round), so every call follows a call of the other session
  // and neither session gets warmer caches from running twice in a row.
  const [baseline, ...patchedVariants] = variants as [Variant, ...Variant[]];
  for (let round = 0; round < warmup + calls; round++) {
    const order = patchedVariants.map((_, i) => patchedVariants[(i + round) % patchedVariants.length]!);
    for (const v of order.flatMap((p) => [baseline, p])) {
      const t0 = performance.now();
      const noise = await step(v);
      const ms = performance.now() - t0;
      if (!Number.isFinite(noise.data[0]!)) fail(`${v.name}: the UNet returned a non-finite value`);
      if (round >= warmup) v.ms.push(ms);
    }
    if (!values.json) {
      const label = round < warmup ? `warm-up ${round + 1}/${warmup}` : `round ${round - warmup + 1}/${calls}`;
      const last = (v: Variant): string => (round < warmup ? '-' : v === baseline ? v.ms.slice(-order.length).map((x) => x.toFixed(1)).join('/') : v.ms.at(-1)!.toFixed(1));
      console.error(`${label}: ${variants.map((v) => `${v.name} ${last(v)} ms`).join(', ')}`);
    }
  }
  await original.release();
  await edited.release();

  const base = median(variants[0]!.ms);
  return {
    model: values.model,
    latents: `${side}x${side} (${side * 8}x${side * 8} px)`,
    batching,
    layers: patched.layers.length,
    patchS,
    patchReused: patched.reused,
    createS: { unpatched: createUnpatched, patched: createPatched },
    calls,
    warmup,
    variants: variants.map((v) => ({ name: v.name, concepts: v.concepts, medianMs: median(v.ms), minMs: Math.min(...v.ms), ratio: median(v.ms) / base, ms: v.ms })),
  };
}

function report(r: Result): void {
  console.log(`model ${r.model}: ${r.layers} cross-attention layers (${2 * r.layers} projections patched); latents ${r.latents}; guidance ${GUIDANCE}, batch 1, ${r.batching}`);
  console.log(`patch ${r.patchS.toFixed(2)} s (${r.patchReused ? 'cache entry reused' : 'written'}); session creation ${r.createS.unpatched.toFixed(1)} s unpatched, ${r.createS.patched.toFixed(1)} s patched`);
  console.log(`${r.calls} interleaved round(s) after ${r.warmup} warm-up round(s) (the unpatched model runs before each patched call); per predictNoise call:`);
  console.log('| variant | median (ms) | min (ms) | median / unpatched |');
  console.log('|---|---|---|---|');
  const ms = (x: number): string => x.toFixed(x < 100 ? 3 : 1);
  for (const v of r.variants) console.log(`| ${v.name} | ${ms(v.medianMs)} | ${ms(v.minMs)} | ${v.ratio.toFixed(4)} |`);
  const one = r.variants.find((v) => v.concepts === 1)!;
  console.log(`1 concept: ${one.ratio.toFixed(4)}x the unpatched step (goal <= 1.02)`);
}

const result = await measure();
if (values.json) console.log(JSON.stringify(result));
else report(result);
