/**
 * Pipeline overhead: the wall time of a whole `Pipeline.generate()` (subscribe → `done`) against
 * the sum of the raw `session.run` times it caused (`OnnxSession.stats` of every session the
 * pipeline loaded: text encoder, UNet, VAE decoder), and the process's peak RSS against the bytes
 * of the weights those sessions loaded.
 *
 *   npm run bench:pipeline-overhead -w @perfusion/bench -- [--model tiny|sd15|DIR] [--steps N] [--size PX]
 *       [--scheduler NAME] [--runs N] [--warmup N] [--guidance-batching batched|sequential]
 *       [--arena on|off] [--mem-pattern on|off] [--opt-level disabled|basic|extended|all] [--threads N]
 *       [--sweep] [--json]
 *
 * `tiny` and `sd15` are the fixtures (`ensureFixture`, generated in a child process on first use so
 * that generating does not count towards this process's RSS). Session options not given are
 * onnxruntime's defaults. `--sweep` runs the measurement once per session-option set in a fresh
 * child process each (peak RSS is per process) and prints one table.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { failWith, integerOption, median, modelFolder } from './bench-support.js';
import type { OnnxSession, SessionOptions } from '@perfusion/onnx-graph';
import { loadPipeline, PIPELINE_RESOURCES, type GenerationRequest, type Pipeline } from '@perfusion/pipeline';

const GIB = 1024 ** 3;

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    steps: { type: 'string', default: '20' },
    size: { type: 'string' },
    scheduler: { type: 'string' },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    'guidance-batching': { type: 'string' },
    arena: { type: 'string' },
    'mem-pattern': { type: 'string' },
    'opt-level': { type: 'string' },
    threads: { type: 'string' },
    sweep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});

const fail: (message: string) => never = failWith('pipeline-overhead');

const integer = (name: string, text: string | undefined, fallback: number, min = 0): number => integerOption(fail, name, text, fallback, min);

function onOff(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text !== 'on' && text !== 'off') fail(`--${name} must be on or off, got ${JSON.stringify(text)}`);
  return text === 'on';
}

const modelDir = (model: string): string => modelFolder(fail, model);

/** Bytes of a session's model: its model.onnx and the external-data files beside it. */
function weightBytes(modelPath: string): number {
  const dir = path.dirname(modelPath);
  return fs
    .readdirSync(dir)
    .filter((file) => !file.endsWith('.json'))
    .reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
}

/** The sessions `loadPipeline` created (each component that holds one exposes it as `session`). */
function sessionsOf(pipeline: Pipeline): OnnxSession[] {
  const resources = pipeline.container.resolve(PIPELINE_RESOURCES) as readonly { session?: OnnxSession }[];
  const sessions = resources.map((r) => r.session).filter((s): s is OnnxSession => s !== undefined);
  if (sessions.length === 0) fail('the pipeline exposes no sessions (components without a `session` property)');
  return sessions;
}

function componentName(session: OnnxSession): string {
  return path.basename(path.dirname(session.path));
}

interface RunFigures {
  readonly wallMs: number;
  readonly sessionMs: number;
  readonly calls: Record<string, { calls: number; ms: number }>;
  readonly totalSteps: number;
}

async function generateOnce(pipeline: Pipeline, sessions: readonly OnnxSession[], request: GenerationRequest): Promise<RunFigures> {
  const before = sessions.map((s) => ({ calls: s.stats.calls, ms: s.stats.totalMs }));
  let totalSteps = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    pipeline.generate(request).subscribe({
      next: (event) => {
        if (event.type === 'start') totalSteps = event.totalSteps;
      },
      error: reject,
      complete: resolve,
    });
  });
  const wallMs = performance.now() - started;
  const calls: Record<string, { calls: number; ms: number }> = {};
  let sessionMs = 0;
  sessions.forEach((s, i) => {
    const ms = s.stats.totalMs - before[i]!.ms;
    calls[componentName(s)] = { calls: s.stats.calls - before[i]!.calls, ms };
    sessionMs += ms;
  });
  return { wallMs, sessionMs, calls, totalSteps };
}


interface Result {
  readonly model: string;
  readonly size: string;
  readonly totalSteps: number;
  readonly options: string;
  readonly loadS: number;
  readonly runs: RunFigures[];
  readonly ratio: number;
  readonly weightGiB: number;
  readonly baselineGiB: number;
  readonly peakGiB: number;
}

function describeOptions(session: SessionOptions, batching: string | undefined): string {
  const parts = Object.entries(session).map(([k, v]) => `${k}=${String(v)}`);
  if (batching !== undefined) parts.push(`guidanceBatching=${batching}`);
  return parts.length === 0 ? 'onnxruntime defaults' : parts.join(', ');
}

async function measure(): Promise<Result> {
  // Full-size models take minutes per generation: one run, no warm-up, unless asked.
  const small = values.model === 'tiny';
  const steps = integer('steps', values.steps, 20, 1);
  const runs = integer('runs', values.runs, small ? 20 : 1, 1);
  const warmup = integer('warmup', values.warmup, small ? 3 : 0);
  const size = values.size === undefined ? undefined : integer('size', values.size, 0, 8);
  const batching = values['guidance-batching'];
  if (batching !== undefined && batching !== 'batched' && batching !== 'sequential') fail('--guidance-batching must be batched or sequential');

  const session: SessionOptions = {};
  const arena = onOff('arena', values.arena);
  if (arena !== undefined) session.enableCpuMemArena = arena;
  const pattern = onOff('mem-pattern', values['mem-pattern']);
  if (pattern !== undefined) session.enableMemPattern = pattern;
  if (values['opt-level'] !== undefined) session.graphOptimizationLevel = values['opt-level'] as SessionOptions['graphOptimizationLevel'];
  if (values.threads !== undefined) session.intraOpNumThreads = integer('threads', values.threads, 0);

  const dir = modelDir(values.model);
  const baseline = process.memoryUsage().rss;
  const loadStarted = performance.now();
  const pipeline = await loadPipeline(dir, { session, ...(batching !== undefined && { guidanceBatching: batching as 'batched' | 'sequential' }) });
  const loadS = (performance.now() - loadStarted) / 1000;
  const sessions = sessionsOf(pipeline);

  const request: GenerationRequest = {
    prompt: 'a photo of a red cat sitting on a blue sofa, highly detailed',
    steps,
    seed: 0,
    ...(size !== undefined && { width: size, height: size }),
    ...(values.scheduler !== undefined && { scheduler: values.scheduler }),
  };
  for (let i = 0; i < warmup; i++) await generateOnce(pipeline, sessions, request);
  const figures: RunFigures[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await generateOnce(pipeline, sessions, request);
    figures.push(run);
    if (!values.json) {
      const detail = Object.entries(run.calls)
        .map(([name, c]) => `${name} ${c.calls}× ${c.ms.toFixed(1)} ms`)
        .join(', ');
      console.error(`run ${i + 1}/${runs}: generate ${run.wallMs.toFixed(1)} ms, session.run ${run.sessionMs.toFixed(1)} ms (${detail}), ratio ${(run.wallMs / run.sessionMs).toFixed(4)}`);
    }
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  const weights = sessions.reduce((sum, s) => sum + weightBytes(s.path), 0);
  await pipeline.release();
  return {
    model: values.model,
    size: size === undefined ? 'model default' : `${size}x${size}`,
    totalSteps: figures[0]!.totalSteps,
    options: describeOptions(session, batching),
    loadS,
    runs: figures,
    ratio: median(figures.map((r) => r.wallMs / r.sessionMs)),
    weightGiB: weights / GIB,
    baselineGiB: baseline / GIB,
    peakGiB: peak / GIB,
  };
}

function report(r: Result): void {
  const wall = median(r.runs.map((x) => x.wallMs));
  const inside = median(r.runs.map((x) => x.sessionMs));
  console.log(`model ${r.model}, ${r.size}, ${r.totalSteps} steps, ${r.options}`);
  console.log(`load ${r.loadS.toFixed(1)} s; ${r.runs.length} measured run(s)`);
  console.log(`generate() ${wall.toFixed(1)} ms vs sum of session.run ${inside.toFixed(1)} ms: ratio ${r.ratio.toFixed(4)} (goal <= 1.03 on sd15), overhead ${((wall - inside) / r.totalSteps).toFixed(2)} ms per step`);
  console.log(
    `peak RSS ${r.peakGiB.toFixed(2)} GiB over weights ${r.weightGiB.toFixed(2)} GiB: ${(r.peakGiB / r.weightGiB).toFixed(2)}x (goal <= 1.5; RSS before loading ${r.baselineGiB.toFixed(2)} GiB)`,
  );
}

/** Session-option sets the sweep compares, each as extra command-line flags. */
const SWEEP: readonly string[][] = [
  [],
  ['--mem-pattern', 'off'],
  ['--arena', 'off', '--mem-pattern', 'off'],
  ['--mem-pattern', 'off', '--guidance-batching', 'sequential'],
  ['--arena', 'off', '--mem-pattern', 'off', '--guidance-batching', 'sequential'],
];

function sweep(): void {
  const self = fileURLToPath(import.meta.url);
  const passOn = process.argv.slice(2).filter((a) => a !== '--sweep' && a !== '--json');
  console.log('| session options | peak RSS / weights | ratio generate / session.run | generate (ms) |');
  console.log('|---|---|---|---|');
  for (const extra of SWEEP) {
    const out = execFileSync(process.execPath, [...process.execArgv, self, ...passOn, ...extra, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
    const wall = median(r.runs.map((x) => x.wallMs));
    console.log(`| ${r.options} | ${(r.peakGiB / r.weightGiB).toFixed(2)}x (${r.peakGiB.toFixed(2)} / ${r.weightGiB.toFixed(2)} GiB) | ${r.ratio.toFixed(4)} | ${wall.toFixed(0)} |`);
  }
}

if (values.sweep) {
  sweep();
} else {
  const result = await measure();
  if (values.json) console.log(JSON.stringify(result));
  else report(result);
}
