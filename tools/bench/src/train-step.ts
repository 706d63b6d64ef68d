/**
 * Training step: the time of one Perfusion training micro-batch (`microBatchGradients` with one
 * example: text encoder, UNet training graph — forward, loss, backward — the gate's gradient, the
 * text encoder's VJP) against one forward call of the same patched UNet on the same shapes (batch 1,
 * one concept, no guidance), and the peak RSS of each.
 *
 *   npm run bench:train-step -w @perfusion/bench -- [--model tiny|sd15|DIR] [--size PX] [--calls N]
 *       [--warmup N] [--sessions NAME[,NAME...]] [--captions N] [--graph-cache DIR] [--json]
 *
 * Every measurement runs in a fresh child process, since peak RSS is per process: first one that
 * writes what the others read from caches (the patched UNet, the UNet training graph, the text
 * encoder's VJP graph, the covariance), then per session-option set a forward process (the patched
 * UNet alone, as `UNet.predictNoise` runs it) and a step process (everything `ConceptTrainer` loads
 * for the gradients: the Perfusion pipeline — text encoder, patched UNet, VAE decoder — plus the
 * two training graphs). In the step process every step is followed by one forward call of the
 * pipeline's own UNet, and the ratio compares those: on a shared machine, calls made seconds apart
 * in one process see the same load, calls in two processes minutes apart do not. The step
 * process's peak RSS is read after its first step, before the pipeline's UNet first runs. Wall and
 * CPU time (all threads) are both reported, and the ratio of the fastest calls: other jobs only
 * ever slow a call down.
 *
 * Session-option sets (`--sessions`, default `lean`): `lean` is what the `perfusion` CLI uses (no
 * CPU memory arena, no memory-pattern planning), `unpacked` is `lean` without weight pre-packing
 * (`session.disable_prepacking`: onnxruntime then keeps no packed copy of the weights beside the
 * memory-mapped file), `defaults` is onnxruntime's.
 *
 * The step's split comes from the sessions' own clocks (`OnnxSession.stats`): the UNet training
 * graph's run, the text encoder's forward and its VJP; the rest is TypeScript (coefficients, rows,
 * the gate's gradient, copies). The forward gets random coefficients `[1, 77, 2]` and rows
 * `[2, width]`, which cost what the step's real ones cost. The concept is set up the way the
 * trainer sets one up (a new token starting from the supercategory's embedding, i* its encoding),
 * with a covariance of `--captions` built-in captions (default 256: a usable C⁻¹ in seconds, not the
 * 5,000 a real training uses; the step's cost does not depend on it), cached under the system's
 * temporary folder so that the model's own covariance cache is left alone. `--graph-cache` puts the
 * training graphs in another folder (on the model's file system: the weights are hard-linked), e.g.
 * to measure graphs built afresh next to the cached ones.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { failWith, integerOption, median, modelFolder } from './bench-support.js';
import { builtInCaptions, conceptDirection, project, TRAINING_GATE } from '@perfusion/key-lock';
import { readModel, type OnnxSession, type SessionOptions } from '@perfusion/onnx-graph';
import { loadPipeline, PIPELINE_RESOURCES, type Pipeline, type PipelineOptions } from '@perfusion/pipeline';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { loadGradientModel, microBatchGradients, type ConceptParameters, type GradientModel, type GradientModelOptions, type MicroBatch } from '@perfusion/trainer';
import { patchUnetForPerfusion, perfusionFeeds, resolveUnetModelPath, UNET, UNet, type LayerRows, type PatchedUnet } from '@perfusion/unet';

const GIB = 1024 ** 3;
const TOKENS = 77;
const TIMESTEP = 500;
/** The concept's name in error messages. */
const CONCEPT_NAME = '<bench-concept>';
const SUPERCATEGORY = 'cat';
const TEMPLATE = 'a photo of a {}';
/** The goal of the issue: a step may cost at most this many forward calls. */
const GOAL = 2.5;

/** Session-option sets by name. */
const SESSION_SETS: Readonly<Record<string, SessionOptions>> = {
  lean: { enableCpuMemArena: false, enableMemPattern: false },
  unpacked: { enableCpuMemArena: false, enableMemPattern: false, configEntries: { 'session.disable_prepacking': '1' } },
  defaults: {},
};

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    size: { type: 'string' },
    calls: { type: 'string' },
    warmup: { type: 'string' },
    sessions: { type: 'string', default: 'lean' },
    captions: { type: 'string' },
    'graph-cache': { type: 'string' },
    json: { type: 'boolean', default: false },
    // Internal: what a child process measures, and with which session options.
    role: { type: 'string' },
    session: { type: 'string' },
  },
  strict: true,
});

const fail: (message: string) => never = failWith('train-step');

const integer = (name: string, text: string | undefined, fallback: number, min = 0): number => integerOption(fail, name, text, fallback, min);

const captionCount = (): number => integer('captions', values.captions, 256, 32);

/** A covariance cache outside the model folder: the bench's small corpus must not stand in for a real one there. */
const covarianceCacheDir = (): string => path.join(os.tmpdir(), 'perfusion-bench', 'covariance');

/** Bytes of a session's model: its model.onnx and the external-data files beside it. */
function weightBytes(modelPath: string): number {
  const dir = path.dirname(modelPath);
  return fs
    .readdirSync(dir)
    .filter((file) => !file.endsWith('.json') && fs.statSync(path.join(dir, file)).isFile())
    .reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Wall and CPU time (every thread of the process, user + system) of one call. CPU time is what a
 * shared machine disturbs least: other jobs stretch a call's wall time but not the work it does.
 */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await call();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

interface ForwardFigures {
  readonly role: 'forward';
  readonly session: string;
  readonly createS: number;
  readonly ms: number[];
  readonly cpuMs: number[];
  readonly weightBytes: number;
  readonly startRss: number;
  readonly loadedRss: number;
  readonly peakRss: number;
  readonly loadAverage: readonly [number, number];
}

interface StepTimes {
  readonly totalMs: number;
  /** CPU time of the whole process (every thread) during the step. */
  readonly cpuMs: number;
  readonly unetMs: number;
  readonly encoderMs: number;
  readonly vjpMs: number;
}

interface StepFigures {
  readonly role: 'step';
  readonly session: string;
  readonly loadS: number;
  readonly steps: StepTimes[];
  /** Forward calls of the pipeline's own patched UNet, one after each step. */
  readonly forwardMs: number[];
  readonly forwardCpuMs: number[];
  readonly loss: number;
  /** Weight bytes of every session the process holds, and of the UNet training graph's alone. */
  readonly weightBytes: number;
  readonly trainingGraphBytes: number;
  readonly startRss: number;
  readonly loadedRss: number;
  /** Peak RSS after the first step, before the pipeline's UNet first ran. */
  readonly stepPeakRss: number;
  readonly peakRss: number;
  readonly loadAverage: readonly [number, number];
}

interface PrepareFigures {
  readonly role: 'prepare';
  readonly loadS: number;
  readonly graphsS: number;
  /** The UNet training graph measured: its file, node count, and whether the cache already held it. */
  readonly graph: { readonly path: string; readonly nodes: number; readonly reused: boolean };
  readonly covariance: { readonly source: string; readonly captions: number; readonly ms: number };
  readonly latentSide: number;
}

/** `--size` in pixels (a multiple of 8), or undefined for the model's default. */
function sizeOption(): number | undefined {
  if (values.size === undefined) return undefined;
  const pixels = integer('size', values.size, 0, 8);
  if (pixels % 8 !== 0) fail(`--size must be a multiple of 8, got ${values.size}`);
  return pixels;
}

/** Latent side for `--size` (pixels), else the UNet's `sample_size`. */
async function latentSide(dir: string): Promise<number> {
  const pixels = sizeOption();
  if (pixels !== undefined) return pixels / 8;
  const config = JSON.parse(fs.readFileSync(path.join(path.dirname(await resolveUnetModelPath(dir)), 'config.json'), 'utf8')) as { sample_size?: number };
  return config.sample_size ?? 64;
}

function sessionSet(): { name: string; options: SessionOptions } {
  const name = values.session ?? 'lean';
  const options = SESSION_SETS[name];
  if (options === undefined) fail(`unknown session-option set ${JSON.stringify(name)}`);
  return { name, options };
}

function pipelineOptions(session: SessionOptions): PipelineOptions {
  return { session, guidanceBatching: 'sequential', perfusion: { covarianceCacheDir: covarianceCacheDir() } };
}

/** Where the training graphs are cached (`--graph-cache`; a new folder makes them be built afresh). */
function gradientOptions(session: SessionOptions): GradientModelOptions {
  return { session, ...(values['graph-cache'] !== undefined && { cacheDir: path.resolve(values['graph-cache']) }) };
}

/** Writes the caches the measuring processes read, so that none of them builds anything. */
async function prepare(dir: string): Promise<PrepareFigures> {
  let started = performance.now();
  const pipeline = await loadPipeline(dir, pipelineOptions(SESSION_SETS['lean']!));
  const loadS = (performance.now() - started) / 1000;
  try {
    started = performance.now();
    const { model, owned } = await loadGradientModel(pipeline, gradientOptions(SESSION_SETS['lean']!));
    await Promise.allSettled(owned.map((s) => s.release()));
    const graphsS = (performance.now() - started) / 1000;
    const { modelPath, reused } = model.unet.graph;
    const graph = { path: modelPath, nodes: (await readModel(modelPath)).graph?.node.length ?? 0, reused };
    const info = await pipeline.covariance({ captions: builtInCaptions({ count: captionCount() }) });
    return { role: 'prepare', loadS, graphsS, graph, covariance: { source: info.source, captions: info.captions, ms: info.ms }, latentSide: await latentSide(dir) };
  } finally {
    await pipeline.release();
  }
}

/** Feeds of one random concept for a batch of 1: coefficients [1, 77, 2] (a sim and a gate per token) and rows per layer. */
function oneConceptFeeds(patched: PatchedUnet, rng: Rng): Record<string, Tensor> {
  const coefficients = new Float32Array(TOKENS * 2).map(() => rng.uniform() * 0.2);
  const layerRows = new Map<string, LayerRows>();
  for (const layer of patched.layers) {
    const scale = 1 / Math.sqrt(layer.dim);
    const rows = (): Float32Array => rng.fillNormal(new Float32Array(2 * layer.width)).map((x) => x * scale);
    layerRows.set(layer.key, { k: rows(), v: rows() });
  }
  return perfusionFeeds(patched, { coefficients: new Tensor('float32', coefficients, [1, TOKENS, 2]), layerRows });
}

/** One forward call of the patched UNet (batch 1, one concept, no guidance), timed after warm-up calls. */
async function measureForward(dir: string, side: number, calls: number, warmup: number): Promise<ForwardFigures> {
  const { name, options } = sessionSet();
  const loadBefore = os.loadavg()[0]!;
  const startRss = process.memoryUsage().rss;
  const patched = await patchUnetForPerfusion(await resolveUnetModelPath(dir));
  const started = performance.now();
  const unet = await UNet.create(patched.modelPath, { session: options });
  const createS = (performance.now() - started) / 1000;
  const loadedRss = process.memoryUsage().rss;
  try {
    const rng = new Rng(0);
    const sample = new Tensor('float32', rng.fillNormal(new Float32Array(unet.inChannels * side * side)), [1, unet.inChannels, side, side]);
    const encoderHiddenStates = new Tensor('float32', rng.fillNormal(new Float32Array(TOKENS * unet.crossAttentionDim)), [1, TOKENS, unet.crossAttentionDim]);
    const extraFeeds = oneConceptFeeds(patched, rng);
    const ms: number[] = [];
    const cpuMs: number[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      const call = await timed(() => unet.predictNoise({ sample, timestep: TIMESTEP, encoderHiddenStates, guidanceScale: 1, extraFeeds }));
      if (!Number.isFinite(call.value.data[0]!)) fail('the UNet returned a non-finite value');
      if (i >= warmup) {
        ms.push(call.ms);
        cpuMs.push(call.cpuMs);
      }
      if (!values.json) console.error(`forward (${name}) ${i < warmup ? 'warm-up' : 'call'} ${i + 1}/${warmup + calls}: ${call.ms.toFixed(1)} ms (CPU ${call.cpuMs.toFixed(0)} ms)`);
    }
    return { role: 'forward', session: name, createS, ms, cpuMs, weightBytes: weightBytes(patched.modelPath), startRss, loadedRss, peakRss: peakRss(), loadAverage: [loadBefore, os.loadavg()[0]!] };
  } finally {
    await unet.release();
  }
}

/**
 * The concept's starting point, as the trainer sets one up: a new token (the first id past the text
 * encoder's table) that starts from the supercategory's embedding. The prompt is the supercategory's
 * with that id at its place, which is what a tokenizer with the token added gives — built here from
 * the encoder's table size rather than the tokenizer's, so that fixtures whose tokenizer is smaller
 * than their encoder's table (the `sd15` preset's) can be measured too.
 */
async function conceptAtStart(pipeline: Pipeline, model: GradientModel): Promise<{ params: ConceptParameters; prompt: Int32Array; position: number }> {
  const perfusion = pipeline.perfusion!;
  const encoder = model.encoder;
  const superIds = perfusion.baseTokenizer.tokenIds(SUPERCATEGORY);
  if (superIds.length !== 1) fail(`the supercategory ${SUPERCATEGORY} is not one token of this model's vocabulary`);
  const superPrompt = perfusion.baseTokenizer.encode(TEMPLATE.replace('{}', SUPERCATEGORY)).ids;
  const position = superPrompt.indexOf(superIds[0]!);
  const prompt = superPrompt.slice();
  prompt[position] = encoder.vocabSize!;
  const embedding = await encoder.readTokenEmbedding(superIds[0]!);
  const extraEmbeddings = Float32Array.from(embedding);

  const encoded = await encoder.encode([prompt, superPrompt], { extraEmbeddings });
  const [, tokens, d] = encoded.shape as [number, number, number];
  const row = (b: number): Float32Array => encoded.data.slice((b * tokens + position) * d, (b * tokens + position + 1) * d);
  const superEncoding = row(1);
  const inverse = perfusion.covarianceStore.inverse;
  if (inverse === undefined) fail('no covariance loaded (the prepare step should have cached one)');
  return {
    params: {
      valueTargets: model.weights.map((layer) => Float32Array.from(project(superEncoding, layer.v))),
      extraEmbeddings,
      extraRow: 0,
      direction: conceptDirection(row(0), inverse, CONCEPT_NAME),
      superEncoding,
      gate: TRAINING_GATE,
    },
    prompt,
    position,
  };
}

/** The sessions a pipeline holds (each component with one exposes it as `session`). */
function pipelineSessions(pipeline: Pipeline): OnnxSession[] {
  const resources = pipeline.container.resolve(PIPELINE_RESOURCES) as readonly { session?: OnnxSession }[];
  return resources.map((r) => r.session).filter((s): s is OnnxSession => s !== undefined);
}

/**
 * One training micro-batch of one example, timed after warm-up steps, with its split by session.
 * Each step is followed by one forward call of the pipeline's own patched UNet on the same shapes,
 * so that the ratio compares calls made moments apart in one process (a shared machine's load
 * drifts by more than the effects measured here between two processes).
 */
async function measureStep(dir: string, side: number, calls: number, warmup: number): Promise<StepFigures> {
  const { name, options } = sessionSet();
  const loadBefore = os.loadavg()[0]!;
  const startRss = process.memoryUsage().rss;
  const started = performance.now();
  const pipeline = await loadPipeline(dir, pipelineOptions(options));
  const { model, owned } = await loadGradientModel(pipeline, gradientOptions(options));
  await pipeline.covariance({ captions: builtInCaptions({ count: captionCount() }) });
  const loadS = (performance.now() - started) / 1000;
  try {
    const { params, prompt, position } = await conceptAtStart(pipeline, model);
    const loadedRss = process.memoryUsage().rss;
    if (!values.json) console.error(`step (${name}): loaded in ${loadS.toFixed(1)} s, RSS ${(loadedRss / GIB).toFixed(2)} GiB`);
    const rng = new Rng(0);
    const c = model.unet.io.inChannels;
    const plane = side * side;
    const batch: MicroBatch = {
      noisy: rng.fillNormal(new Float32Array(c * plane)),
      target: rng.fillNormal(new Float32Array(c * plane)),
      weights: new Float32Array(plane).fill(1 / (c * plane)),
      latentShape: [c, side, side],
      prompts: [prompt],
      positions: [position],
      timesteps: [TIMESTEP],
    };
    const unet = pipeline.container.resolve(UNET) as UNet;
    const sample = new Tensor('float32', batch.noisy, [1, c, side, side]);
    const encoderHiddenStates = new Tensor('float32', rng.fillNormal(new Float32Array(TOKENS * unet.crossAttentionDim)), [1, TOKENS, unet.crossAttentionDim]);
    const extraFeeds = oneConceptFeeds(model.patched, rng);

    const clocks = { unet: model.unet.session, encoder: model.encoder.session, vjp: model.vjp.session };
    const steps: StepTimes[] = [];
    const forwardMs: number[] = [];
    const forwardCpuMs: number[] = [];
    let loss = Number.NaN;
    let stepPeakRss = 0;
    for (let i = 0; i < warmup + calls; i++) {
      const before = { unet: clocks.unet.stats.totalMs, encoder: clocks.encoder.stats.totalMs, vjp: clocks.vjp.stats.totalMs };
      const step = await timed(() => microBatchGradients(model, batch, params));
      const times: StepTimes = {
        totalMs: step.ms,
        cpuMs: step.cpuMs,
        unetMs: clocks.unet.stats.totalMs - before.unet,
        encoderMs: clocks.encoder.stats.totalMs - before.encoder,
        vjpMs: clocks.vjp.stats.totalMs - before.vjp,
      };
      loss = step.value.loss;
      if (!Number.isFinite(loss)) fail(`the training step gave a non-finite loss (${loss})`);
      if (i === 0) stepPeakRss = peakRss();
      const forward = await timed(() => unet.predictNoise({ sample, timestep: TIMESTEP, encoderHiddenStates, guidanceScale: 1, extraFeeds }));
      if (!Number.isFinite(forward.value.data[0]!)) fail('the UNet returned a non-finite value');
      if (i >= warmup) {
        steps.push(times);
        forwardMs.push(forward.ms);
        forwardCpuMs.push(forward.cpuMs);
      }
      if (!values.json) {
        const label = i < warmup ? 'warm-up' : 'round';
        console.error(
          `step (${name}) ${label} ${i + 1}/${warmup + calls}: step ${times.totalMs.toFixed(1)} ms (UNet training graph ${times.unetMs.toFixed(1)}, ` +
            `text encoder ${times.encoderMs.toFixed(1)}, VJP ${times.vjpMs.toFixed(1)}; CPU ${times.cpuMs.toFixed(0)}), then forward ${forward.ms.toFixed(1)} ms (CPU ${forward.cpuMs.toFixed(0)})`,
        );
      }
    }
    const sessions = [...pipelineSessions(pipeline), ...owned];
    return {
      role: 'step',
      session: name,
      loadS,
      steps,
      forwardMs,
      forwardCpuMs,
      loss,
      weightBytes: sessions.reduce((sum, s) => sum + weightBytes(s.path), 0),
      trainingGraphBytes: weightBytes(model.unet.session.path),
      startRss,
      loadedRss,
      stepPeakRss,
      peakRss: peakRss(),
      loadAverage: [loadBefore, os.loadavg()[0]!],
    };
  } finally {
    await Promise.allSettled(owned.map((s) => s.release()));
    await pipeline.release();
  }
}

/** Runs this script in a fresh process for one role and returns the JSON it printed last. */
function child<T>(role: string, args: readonly string[]): T {
  const self = fileURLToPath(import.meta.url);
  let out: string;
  try {
    out = execFileSync(process.execPath, [...process.execArgv, self, '--role', role, ...args, ...(values.json ? ['--json'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { status, signal } = error as { status: number | null; signal: string | null };
    const how = signal !== null ? `was killed (${signal}; out of memory?)` : `exited with status ${status}`;
    console.error(`train-step: the ${role} process (${args.join(' ')}) ${how}. At full size a smaller --size or --sessions unpacked needs less memory.`);
    process.exit(1);
  }
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

interface Result {
  readonly model: string;
  readonly latents: string;
  readonly calls: number;
  readonly warmup: number;
  readonly prepare: PrepareFigures;
  readonly runs: { forward: ForwardFigures; step: StepFigures }[];
}

function orchestrate(): Result {
  const dir = modelFolder(fail, values.model);
  const small = values.model === 'tiny';
  const calls = integer('calls', values.calls, small ? 20 : 3, 1);
  const warmup = integer('warmup', values.warmup, small ? 3 : 1);
  const sets = values.sessions.split(',');
  for (const set of sets) if (SESSION_SETS[set] === undefined) fail(`--sessions takes a comma-separated list of ${Object.keys(SESSION_SETS).join(', ')}; got ${JSON.stringify(set)}`);
  sizeOption();
  const shared = [
    ...['--model', dir, '--calls', String(calls), '--warmup', String(warmup), '--captions', String(captionCount())],
    ...(values.size !== undefined ? ['--size', values.size] : []),
    ...(values['graph-cache'] !== undefined ? ['--graph-cache', values['graph-cache']] : []),
  ];
  const prepared = child<PrepareFigures>('prepare', shared);
  const runs = sets.map((set) => ({
    forward: child<ForwardFigures>('forward', [...shared, '--session', set]),
    step: child<StepFigures>('step', [...shared, '--session', set]),
  }));
  const side = prepared.latentSide;
  return { model: values.model, latents: `${side}x${side} (${side * 8}x${side * 8} px)`, calls, warmup, prepare: prepared, runs };
}

function report(r: Result): void {
  const gib = (bytes: number): string => (bytes / GIB).toFixed(2);
  const s = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const load = (l: readonly [number, number]): string => `${l[0].toFixed(1)}→${l[1].toFixed(1)}`;
  const p = r.prepare;
  console.log(`model ${r.model}: latents ${r.latents}, batch 1, 1 concept, no guidance; medians of ${r.calls} after ${r.warmup} warm-up(s)`);
  console.log(`prepare: pipeline ${p.loadS.toFixed(1)} s, training graphs ${p.graphsS.toFixed(1)} s, covariance of ${p.covariance.captions} captions ${p.covariance.source} in ${(p.covariance.ms / 1000).toFixed(1)} s`);
  console.log(`UNet training graph: ${p.graph.nodes} nodes, ${p.graph.reused ? 'from the cache' : 'built now'} (${p.graph.path})`);
  console.log('Time (step process: each step followed by one forward call of the pipeline\'s UNet):');
  console.log('| sessions | step | forward | **step / forward** | UNet training graph (/ forward) | text encoder + VJP | TypeScript | forward-only process | load average |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const { forward, step } of r.runs) {
    const f = median(step.forwardMs);
    const total = median(step.steps.map((x) => x.totalMs));
    const unet = median(step.steps.map((x) => x.unetMs));
    const text = median(step.steps.map((x) => x.encoderMs + x.vjpMs));
    const rest = median(step.steps.map((x) => x.totalMs - x.unetMs - x.encoderMs - x.vjpMs));
    console.log(
      `| ${step.session} | ${s(total)} | ${s(f)} | **${(total / f).toFixed(2)}** | ${s(unet)} (${(unet / f).toFixed(2)}) | ${s(text)} | ${s(rest)} | ` +
        `${s(median(forward.ms))} (step / it ${(total / median(forward.ms)).toFixed(2)}) | ${load(step.loadAverage)}, ${load(forward.loadAverage)} |`,
    );
  }
  console.log('Peak RSS:');
  console.log('| sessions | forward-only process / UNet weights | step process after its first step / weights held | step process at the end | during the steps |');
  console.log('|---|---|---|---|---|');
  for (const { forward, step } of r.runs) {
    console.log(
      `| ${step.session} | ${(forward.peakRss / forward.weightBytes).toFixed(2)}x (${gib(forward.peakRss)} / ${gib(forward.weightBytes)} GiB; ${gib(forward.loadedRss)} after creating the session) | ` +
        `${(step.stepPeakRss / step.weightBytes).toFixed(2)}x (${gib(step.stepPeakRss)} / ${gib(step.weightBytes)} GiB, of which training graph ${gib(step.trainingGraphBytes)}) | ` +
        `${gib(step.peakRss)} GiB | +${gib(step.stepPeakRss - step.loadedRss)} GiB over ${gib(step.loadedRss)} loaded |`,
    );
  }
  for (const { step } of r.runs) {
    const totals = step.steps.map((x) => x.totalMs);
    const ratio = median(totals) / median(step.forwardMs);
    // The fastest of each is what a quiet machine gives: other jobs only ever slow a call down.
    const best = Math.min(...totals) / Math.min(...step.forwardMs);
    const cpu = median(step.steps.map((x) => x.cpuMs)) / median(step.forwardCpuMs);
    console.log(
      `step / forward (${step.session}): ${ratio.toFixed(2)} from the medians, ${best.toFixed(2)} from the fastest of each, ${cpu.toFixed(2)} in CPU time ` +
        `(goal <= ${GOAL}); loss ${step.loss.toPrecision(4)}`,
    );
  }
}

/** A child's measurement; the parent passes every option explicitly. */
async function runRole(role: string): Promise<PrepareFigures | ForwardFigures | StepFigures> {
  const dir = values.model;
  const calls = integer('calls', values.calls, 1, 1);
  const warmup = integer('warmup', values.warmup, 0);
  switch (role) {
    case 'prepare':
      return prepare(dir);
    case 'forward':
      return measureForward(dir, await latentSide(dir), calls, warmup);
    case 'step':
      return measureStep(dir, await latentSide(dir), calls, warmup);
    default:
      return fail(`unknown --role ${JSON.stringify(role)}`);
  }
}

if (values.role !== undefined) {
  console.log(JSON.stringify(await runRole(values.role)));
} else {
  const result = orchestrate();
  if (values.json) console.log(JSON.stringify(result));
  else report(result);
}
