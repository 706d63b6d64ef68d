import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePng } from '@perfusion/encoders';
import { loadPipeline, type Pipeline } from '@perfusion/pipeline';
import { ConceptTrainer, type TrainingEvent, type TrainingRequest } from '@perfusion/trainer';
import type { TrainArgs } from './args.js';
import { CancellableRun } from './cancellable-run.js';
import { StderrProgress } from './stderr-progress.js';
import { CliUsageError } from './errors.js';
import { EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { defaultConceptPath } from './from-words-command.js';
import { CLI_PIPELINE_SETTINGS } from './generate-command.js';
import type { CliIo } from './io.js';
import { resolveModel } from './model-dir.js';
import { TRAIN_DEFAULTS } from './options.js';
import { defaultCheckpointPath, samplePath } from './output-paths.js';
import type { ProgressMode } from './progress.js';
import { renderCancelled, renderTrainingResult } from './train-messages.js';
import {
  INITIAL_TRAINING_PROGRESS,
  renderTrainingStart,
  renderTrainingStep,
  renderTrainingSummary,
  updateTrainingProgress,
  type TrainingProgress,
} from './train-progress.js';

/** The files a training writes: the concept and the checkpoint (defaults filled in). */
export interface TrainingPaths {
  readonly out: string;
  readonly checkpoint: string;
}

/** `--out` or the token's default file, and `--checkpoint` or the one beside the concept. */
export function trainingPaths(args: TrainArgs): TrainingPaths {
  const out = args.out ?? defaultConceptPath(args.token);
  return { out, checkpoint: args.checkpoint ?? defaultCheckpointPath(out) };
}

/** The trainer's request for parsed arguments: only what was given, so that the trainer's defaults apply to the rest. */
export function trainingRequest(args: TrainArgs, paths: TrainingPaths): TrainingRequest {
  return {
    images: args.images,
    token: args.token,
    supercategory: args.supercategory,
    out: paths.out,
    checkpoint: paths.checkpoint,
    ...(args.steps !== undefined && { steps: args.steps }),
    ...(args.batch !== undefined && { batchSize: args.batch }),
    ...(args.microBatch !== undefined && { microBatchSize: args.microBatch }),
    ...(args.lr !== undefined && { valueLearningRate: args.lr }),
    ...(args.embeddingLr !== undefined && { embeddingLearningRate: args.embeddingLr }),
    ...(args.resolution !== undefined && { resolution: args.resolution }),
    ...(args.seed !== undefined && { seed: args.seed }),
    ...(args.noFlips === true && { flips: false }),
    ...(args.trainKeys === true && { keys: 'trained' as const }),
    ...(args.checkpointEvery !== undefined && { checkpointEvery: args.checkpointEvery }),
    ...(args.resume !== undefined && { resume: args.resume }),
    ...(args.samples !== undefined && { sampleEvery: args.sampleEvery ?? TRAIN_DEFAULTS.sampleEvery }),
    ...(args.samplePrompt !== undefined && { samplePrompt: args.samplePrompt }),
    ...(args.templates !== undefined && { templates: args.templates }),
  };
}

const samePath = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);

/**
 * Checks what can be checked before the model loads (which takes a while on a full-size model):
 * the image folder and the checkpoint to resume exist, and no earlier result is overwritten by
 * accident — an existing concept file needs --force, and so does an existing checkpoint that is
 * not the one resumed from (it may hold an interrupted run's progress).
 */
export function checkTrainingFiles(args: TrainArgs, paths: TrainingPaths): void {
  const usage = (message: string): CliUsageError => new CliUsageError(message, 'train');
  if (!fs.existsSync(args.images) || !fs.statSync(args.images).isDirectory()) {
    throw usage(`--images ${args.images}: no such folder. Give the folder that holds the photos of the concept (PNG or JPEG, masks as <name>.mask.png).`);
  }
  if (args.resume !== undefined && !fs.existsSync(args.resume)) {
    throw usage(`--resume ${args.resume}: no such file. Give the checkpoint an earlier run wrote (by default <out>.ckpt.safetensors beside the concept file).`);
  }
  if (samePath(paths.out, paths.checkpoint)) {
    throw usage(`--checkpoint and --out name the same file ${paths.out}; the checkpoint needs a file of its own (e.g. ${defaultCheckpointPath(paths.out)}).`);
  }
  if (args.force === true) return;
  if (fs.existsSync(paths.out)) {
    throw usage(`${paths.out} already exists; pass --force to replace it when training ends, or choose another --out.`);
  }
  if (fs.existsSync(paths.checkpoint) && !(args.resume !== undefined && samePath(args.resume, paths.checkpoint))) {
    throw usage(
      `the checkpoint file ${paths.checkpoint} already exists (an earlier run's?); continue that run with --resume ${paths.checkpoint}, ` +
        'start afresh over it with --force, or choose another --checkpoint.',
    );
  }
}

/** Writes training progress and messages to stderr, keeping a terminal's bar on one line. */
class TrainingPrinter extends StderrProgress {
  state: TrainingProgress = INITIAL_TRAINING_PROGRESS;
  private lastLineAt: number | undefined;

  event(event: TrainingEvent): void {
    const before = this.state.preparing;
    const now = this.io.now();
    this.state = updateTrainingProgress(this.state, event, now);
    switch (event.type) {
      case 'start':
        for (const line of renderTrainingStart(event)) this.message(line);
        break;
      case 'preparing':
        this.preparing(before, this.state.preparing!);
        break;
      case 'step': {
        const text = renderTrainingStep(this.state, this.mode, this.lastLineAt, now);
        if (text !== '') this.lastLineAt = now;
        this.write(text);
        break;
      }
      case 'checkpoint':
        this.message(`checkpoint at step ${event.step}: ${event.file}`);
        break;
      case 'sample':
      case 'done':
        break;
    }
  }
}

type Done = { readonly kind: 'done'; readonly steps: number; readonly finalLoss: number };

/**
 * `perfusion train`: trains a Perfusion concept on a folder of photos with `ConceptTrainer`,
 * streaming its events into a progress display, checkpoint messages and sample images, and writes
 * the concept (atomically, by the trainer). Ctrl-C unsubscribes, which stops the trainer before
 * its next model call; the last checkpoint stays, and the command to continue from it is printed.
 */
export async function runTrain(args: TrainArgs, io: CliIo): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`);
  const paths = trainingPaths(args);
  checkTrainingFiles(args, paths);
  const model = await resolveModel(args.model, 'train', say);
  for (const file of [paths.out, paths.checkpoint]) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (args.samples !== undefined) fs.mkdirSync(args.samples, { recursive: true });

  const mode: ProgressMode = io.stderrIsTTY ? { tty: true, columns: io.columns } : { tty: false };
  const progress = new TrainingPrinter(io, mode);
  let pipeline: Pipeline | undefined;
  let trainer: ConceptTrainer | undefined;
  const run = new CancellableRun(io, (following) => {
    progress.endBar();
    say(`cancelling ${following ? 'after the current model call' : 'once the model has loaded'} (Ctrl-C again to quit at once)...`);
  });

  try {
    const loadStarted = io.now();
    say('loading the model and its training graphs (built on first use and cached beside the model)...');
    // The pipeline (which also makes the samples) with generate's memory-saving settings.
    const session = { ...CLI_PIPELINE_SETTINGS.session, onWarning: (message: string) => progress.message(`warning: ${message}`) };
    pipeline = await loadPipeline(model.dir, { session, guidanceBatching: CLI_PIPELINE_SETTINGS.guidanceBatching, perfusion: true });
    trainer = await ConceptTrainer.load(model.dir, { pipeline, session });
    say(`loaded in ${((io.now() - loadStarted) / 1000).toFixed(1)} s`);
    if (run.interrupted) {
      say('cancelled before the first step; nothing written.');
      return EXIT_INTERRUPTED;
    }

    let sampleWrites: Promise<void> = Promise.resolve();
    const outcome = await run.follow<TrainingEvent, Done>(trainer.train(trainingRequest(args, paths)), (event) => {
      progress.event(event);
      if (event.type === 'sample' && args.samples !== undefined) {
        const file = samplePath(args.samples, event.step);
        progress.message(`sample at step ${event.step}: ${file}`);
        sampleWrites = sampleWrites.then(() => writePng(file, event.image));
        // Awaited below; marked handled so that a failed write during a failing run is not an unhandled rejection.
        sampleWrites.catch(() => undefined);
      } else if (event.type === 'done') {
        return { kind: 'done', steps: event.steps, finalLoss: event.finalLoss };
      }
      return undefined;
    });
    // Samples already started are finished (each is a whole file, written atomically).
    await sampleWrites;
    progress.endBar();

    if (outcome.kind === 'cancelled') {
      for (const line of renderCancelled(progress.state, args, args.checkpointEvery ?? TRAIN_DEFAULTS.checkpointEvery)) say(line);
      return EXIT_INTERRUPTED;
    }
    say(renderTrainingSummary(progress.state));
    io.stdout(
      renderTrainingResult({
        file: paths.out,
        token: args.token,
        supercategory: args.supercategory,
        steps: outcome.steps,
        finalLoss: outcome.finalLoss,
        smoothedLoss: progress.state.smoothedLoss,
        ...(args.model !== undefined && { model: args.model }),
      }),
    );
    return EXIT_OK;
  } finally {
    progress.endBar();
    run.stop();
    await trainer?.release();
    await pipeline?.release();
  }
}
