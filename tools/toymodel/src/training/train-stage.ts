import * as fs from 'node:fs';
import * as path from 'node:path';
import { gradientOutputName, OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { AdamW, type ParameterGroup } from '@perfusion/trainer';
import { BaseTrainingError } from '../errors.js';
import { LOSS_OUTPUT } from '../graphs/loss-heads.js';
import type { TrainingGraph } from '../graphs/training-graphs.js';
import { readStageCheckpoint, writeStageCheckpoint, type StageCheckpoint } from './checkpoint.js';
import { SWITCH_STEPS, type StageCurriculum } from './curriculum.js';

/** Settings of one training stage; part of the run's identity (a resume must use the same). */
export interface StageSettings extends StageCurriculum {
  readonly seed: number;
  readonly batchSize: number;
  /** Peak learning rate, reached after `warmupSteps` and kept (then decayed linearly over the last `decaySteps` of `steps`). */
  readonly learningRate: number;
  readonly warmupSteps: number;
  /** Planned total steps (the learning rate decays towards them). */
  readonly steps: number;
  readonly decaySteps: number;
  /** AdamW's decoupled weight decay for matrices and kernels (never biases or norms). */
  readonly weightDecay: number;
  /** Decay of the weights' moving average (what is exported). */
  readonly averageDecay: number;
  /** The diffusion stage's noise schedule and what the UNet predicts, so a checkpoint is never resumed under another objective. */
  readonly schedule?: string;
  readonly prediction?: string;
}

/** What one stage trains: its differentiated graph and how to draw a batch of feeds. */
export interface StageDefinition {
  readonly name: string;
  readonly graph: TrainingGraph;
  /** The graph's inputs other than the weights, for one batch of step `step` drawn from `rng`. */
  readonly batch: (rng: Rng, batchSize: number, step: number) => Promise<Record<string, Tensor>> | Record<string, Tensor>;
}

/** Progress of a stage, reported after every step. */
export interface StageProgress {
  readonly stage: string;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Mean loss over the last {@link LOG_INTERVAL} steps. */
  readonly meanLoss: number;
  readonly stepsPerSecond: number;
  readonly learningRate: number;
  readonly checkpointed: boolean;
}

/** How many steps one entry of the checkpoint's loss record averages. */
export const LOG_INTERVAL = 25;

/** Options of {@link trainStage}. */
export interface TrainStageOptions {
  /** Folder holding this stage's graph and checkpoint (created). */
  readonly workDir: string;
  readonly settings: StageSettings;
  /** Stop after this many steps of this call, or at `settings.steps`, whichever is first. */
  readonly maxSteps?: number;
  /** Stop (with a checkpoint) after this much wall time. */
  readonly maxSeconds?: number;
  readonly checkpointEvery: number;
  readonly onProgress?: (progress: StageProgress) => void;
  /** Checked between steps; true stops the run with a checkpoint (Ctrl-C). */
  readonly shouldStop?: () => boolean;
}

/** The checkpoint file of a stage's work folder. */
export const checkpointFile = (workDir: string): string => path.join(workDir, 'checkpoint.safetensors');

const isDecayed = (shape: readonly number[]): boolean => shape.length >= 2;


/**
 * The settings a resume must share with the checkpoint: all but the curriculum (length of the
 * run, start of its decay, the steps where patterns and each loss weighting begin), so a stage can be
 * extended across sessions.
 */
const CURRICULUM_KEYS: ReadonlySet<string> = new Set(['steps', 'decaySteps', ...SWITCH_STEPS]);
const identity = (settings: object): string => JSON.stringify(Object.fromEntries(Object.entries(settings).filter(([key]) => !CURRICULUM_KEYS.has(key))));

/** A moved switch step must lie ahead of the checkpoint, both where it was and where it goes: past batches cannot change. */
function checkSwitchSteps(before: Readonly<Record<string, unknown>>, now: StageSettings, step: number, file: string): void {
  for (const key of SWITCH_STEPS) {
    const [was, is] = [before[key] as number | undefined, now[key]];
    if (was === is) continue;
    const ahead = (from: number | undefined): boolean => from === undefined || from >= step;
    if (!ahead(was) || !ahead(is)) {
      throw new BaseTrainingError(
        `${file} is at step ${step} and was trained with ${key} ${String(was)}; ${key} ${String(is)} would rewrite steps already taken. ` +
          `Keep ${String(was)}, or move it to step ${step} or later.`,
      );
    }
  }
}

/**
 * Learning rate at `step`: linear warm-up from `restartedAt` (where the optimiser's moments began:
 * 0, or the step a run was seeded from a model folder), constant, then linear decay to a tenth over
 * the last `decaySteps`.
 */
export function learningRateAt(settings: StageSettings, step: number, restartedAt = 0): number {
  const warm = Math.min(1, (step - restartedAt + 1) / Math.max(1, settings.warmupSteps));
  const decayStart = settings.steps - settings.decaySteps;
  const decay = step < decayStart ? 1 : 1 - 0.9 * Math.min(1, (step - decayStart) / Math.max(1, settings.decaySteps));
  return settings.learningRate * warm * decay;
}

/**
 * Runs (or continues) one stage: AdamW on every weight of the stage's graph, an exponential
 * moving average of the weights, a checkpoint every `checkpointEvery` steps and at the end. Step
 * `s` draws its batch from `Rng(seed).fork(s)`, so a resumed run sees the batches an
 * uninterrupted one would. Returns the checkpoint it ended with.
 */
export async function trainStage(stage: StageDefinition, options: TrainStageOptions): Promise<StageCheckpoint> {
  const { settings, workDir } = options;
  fs.mkdirSync(workDir, { recursive: true });
  const file = checkpointFile(workDir);
  const previous = readStageCheckpoint(file);
  if (previous && identity(previous.settings) !== identity(settings)) {
    throw new BaseTrainingError(
      `${file} was written with other settings (${JSON.stringify(previous.settings)}, now ${JSON.stringify(settings)}); ` +
        `resume with the same settings (only steps, decaySteps and a ${SWITCH_STEPS.join(', ')} still ahead may change) or start in another work folder.`,
    );
  }
  if (previous) checkSwitchSteps(previous.settings, settings, previous.step, file);
  if (previous && previous.step > settings.steps) {
    throw new BaseTrainingError(`${file} is at step ${previous.step}, past the ${settings.steps} steps asked for; ask for more steps.`);
  }
  const parameters = stage.graph.parameters;
  for (const p of parameters) {
    const saved = previous?.weights.get(p.name);
    if (previous && saved?.length !== p.values.length) throw new BaseTrainingError(`${file} has no weights of the right size for '${p.name}'; it belongs to another architecture.`);
    if (saved) p.values.set(saved);
  }
  const average = new Map(parameters.map((p) => [p.name, new Float32Array(previous?.average.get(p.name) ?? p.values)]));
  let step = previous?.step ?? 0;
  const restartedAt = previous?.restartedAt ?? 0;
  const groups: ParameterGroup[] = parameters.map((p) => ({
    name: p.name,
    values: p.values,
    weightDecay: isDecayed(p.shape) ? settings.weightDecay : 0,
    get learningRate() {
      return learningRateAt(settings, step, restartedAt);
    },
  }));
  const optimiser = new AdamW(groups, undefined, step - restartedAt, previous ? parameters.map((p) => previous.moments.get(p.name)!) : undefined);
  const losses = [...(previous?.losses ?? [])];

  const modelFile = path.join(workDir, 'training-graph.onnx');
  await writeModel(stage.graph.model, modelFile);
  const session = await OnnxSession.create(modelFile, { configEntries: { 'session.disable_prepacking': '1' } });
  const snapshot = (): StageCheckpoint => ({
    step,
    restartedAt,
    weights: new Map(parameters.map((p) => [p.name, p.values])),
    average,
    moments: new Map(parameters.map((p, i) => [p.name, optimiser.state[i]!])),
    losses,
    settings: settings as unknown as Record<string, unknown>,
  });
  try {
    const root = new Rng(settings.seed);
    const end = Math.min(settings.steps, step + (options.maxSteps ?? Infinity));
    const started = Date.now();
    let recent: number[] = [];
    const gradientNames = parameters.map((p) => gradientOutputName(p.name));
    while (step < end) {
      if (options.shouldStop?.() === true) break;
      if (options.maxSeconds !== undefined && (Date.now() - started) / 1000 >= options.maxSeconds) break;
      const feeds = await stage.batch(root.fork(step), settings.batchSize, step);
      for (const p of parameters) feeds[p.name] = new Tensor('float32', p.values, p.shape);
      const outputs = await session.run(feeds);
      const loss = outputs[LOSS_OUTPUT]!.data[0] as number;
      if (!Number.isFinite(loss)) throw new BaseTrainingError(`${stage.name}: the loss became ${loss} at step ${step}; lower the learning rate and resume from the last checkpoint.`);
      const learningRate = learningRateAt(settings, step, restartedAt);
      optimiser.step(gradientNames.map((name) => outputs[name]!.data as Float32Array));
      step += 1;
      const decay = Math.min(settings.averageDecay, (1 + step) / (10 + step));
      for (const p of parameters) {
        const avg = average.get(p.name)!;
        const values = p.values;
        for (let i = 0; i < values.length; i++) avg[i] = decay * avg[i]! + (1 - decay) * values[i]!;
      }
      recent.push(loss);
      if (recent.length === LOG_INTERVAL) {
        losses.push(recent.reduce((a, b) => a + b, 0) / recent.length);
        recent = [];
      }
      const checkpointed = step % options.checkpointEvery === 0;
      if (checkpointed) await writeStageCheckpoint(file, snapshot());
      const window = recent.length > 0 ? recent : [loss];
      options.onProgress?.({
        stage: stage.name,
        step,
        steps: settings.steps,
        loss,
        meanLoss: window.reduce((a, b) => a + b, 0) / window.length,
        stepsPerSecond: ((step - (previous?.step ?? 0)) * 1000) / Math.max(1, Date.now() - started),
        learningRate,
        checkpointed,
      });
    }
    await writeStageCheckpoint(file, snapshot());
    return snapshot();
  } finally {
    await session.release();
  }
}
