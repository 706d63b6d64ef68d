import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePng, type RgbImage } from '@perfusion/encoders';
import { ConceptFormatError, readConcept } from '@perfusion/concept-format';
import {
  InvalidRequestError,
  loadPipeline,
  ModelFolderError,
  type GenerationEvent,
  type GenerationRequest,
  type Pipeline,
  type PipelineOptions,
  type ResolvedGenerationRequest,
} from '@perfusion/pipeline';
import type { GenerateArgs } from './args.js';
import type { ConceptSpec } from './values.js';
import { CancellableRun } from './cancellable-run.js';
import { StderrProgress } from './stderr-progress.js';
import { CliUsageError } from './errors.js';
import { EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import type { CliIo } from './io.js';
import { bundledConcepts } from './bundled-concepts.js';
import { resolveModel } from './model-dir.js';
import type { DefaultModel } from './default-model.js';
import { defaultOutPath, imagePaths, previewPath } from './output-paths.js';
import {
  INITIAL_PROGRESS,
  renderStep,
  renderSummary,
  updateProgress,
  type ProgressMode,
  type ProgressState,
} from './progress.js';

/**
 * How the command runs onnxruntime: without its CPU memory arena and memory-pattern planning, and
 * with classifier-free guidance as two UNet calls of one row instead of one call of two. On the
 * SD-1.5-size model at 512×512 this lowers peak memory from 1.87× to 1.41× the weights at the
 * same speed (docs/benchmarks.md, "Pipeline overhead").
 */
export const CLI_PIPELINE_SETTINGS = {
  session: { enableCpuMemArena: false, enableMemPattern: false },
  guidanceBatching: 'sequential',
} as const satisfies PipelineOptions;

/** The pipeline request for parsed arguments. */
export function generationRequest(args: GenerateArgs): GenerationRequest {
  return {
    prompt: args.prompt,
    batchSize: args.batch,
    previews: args.previews !== undefined,
    ...(args.negative !== undefined && { negativePrompt: args.negative }),
    ...(args.steps !== undefined && { steps: args.steps }),
    ...(args.guidance !== undefined && { guidanceScale: args.guidance }),
    ...(args.width !== undefined && { width: args.width }),
    ...(args.height !== undefined && { height: args.height }),
    ...(args.seed !== undefined && { seed: args.seed }),
    ...(args.scheduler !== undefined && { scheduler: args.scheduler }),
    ...(args.noise !== undefined && { noise: args.noise }),
    ...(args.concepts !== undefined && {
      concepts: args.concepts.map((c) => ({
        concept: c.file,
        ...(c.beta !== undefined && { beta: c.beta }),
        ...(c.tau !== undefined && { tau: c.tau }),
      })),
    }),
    ...(args.multiConcept !== undefined && { multiConcept: args.multiConcept }),
    ...(args.globalLocking === true && { globalLocking: true }),
  };
}

/**
 * `loadPipeline`'s `perfusion` option for the arguments: off without concepts (the plain UNet and
 * text encoder, nothing patched or described), on with them, with the global-locking variant of
 * the patched UNet when asked for.
 */
export function perfusionOption(args: GenerateArgs): PipelineOptions['perfusion'] {
  if (args.concepts === undefined) return false;
  return args.globalLocking === true ? { globalLocking: true } : true;
}

/**
 * Reads and validates every `--concept` file before any model loads, so that a missing or
 * malformed file (concept-format's typed error, naming the file and field) fails at once; whether
 * it fits the model is checked by the pipeline. Resolves with their tokens.
 */
async function checkConceptFiles(args: GenerateArgs): Promise<string[]> {
  const tokens: string[] = [];
  for (const spec of args.concepts ?? []) {
    if (!fs.existsSync(spec.file)) {
      throw new CliUsageError(`--concept ${spec.file}: no such file. Give a concept file (.safetensors) made by training or by perfusion concept from-words.`, 'generate');
    }
    tokens.push((await readConcept(spec.file)).token);
  }
  return tokens;
}

/**
 * The arguments with the default model's bundled concepts that the prompt calls added as
 * `--concept FILE` (the file's β and τ), each announced through `say`.
 */
async function withBundledConcepts(args: GenerateArgs, conceptsDir: string, givenTokens: readonly string[], say: (line: string) => void): Promise<GenerateArgs> {
  const { concepts, unreadable } = await bundledConcepts(conceptsDir, args.prompt, givenTokens);
  for (const { file, message } of unreadable) say(`warning: ${file} beside the default model is not a usable concept file, so it is left out: ${message}`);
  for (const { file, token } of concepts) say(`concept: ${token} (bundled with the default model: ${file})`);
  if (concepts.length === 0) return args;
  return { ...args, concepts: [...(args.concepts ?? []), ...concepts.map(({ file }) => ({ file }))] };
}

/** What a test may change about `perfusion generate`. */
export interface GenerateOptions {
  /** Where the default model's bundled concepts are looked for. Default: its `conceptsDir`. */
  readonly bundledConceptsDir?: string;
}

/**
 * What the start event says about the concepts in use: one line each (β and τ marked `(file)` when
 * they are the file's defaults, i.e. `specs` did not set them), then how they combine.
 */
export function conceptLines(request: Pick<ResolvedGenerationRequest, 'concepts' | 'multiConcept' | 'globalLocking'>, specs: readonly ConceptSpec[] = []): string[] {
  const { concepts } = request;
  if (concepts.length === 0) return [];
  const lines = concepts.map((c, i) => {
    const spec = specs[i];
    const origin = (given: number | undefined): string => (spec !== undefined && given === undefined ? ' (file)' : '');
    return `concept ${c.token} (supercategory ${c.supercategory})${c.file === undefined ? '' : ` from ${c.file}`}: beta ${c.beta}${origin(spec?.beta)}, tau ${c.tau}${origin(spec?.tau)}`;
  });
  const how = [concepts.length > 1 ? `combined by ${request.multiConcept}` : undefined, request.globalLocking ? 'global key locking' : undefined].filter((x) => x !== undefined);
  if (how.length > 0) lines.push(`concepts: ${how.join(', ')}`);
  return lines;
}

/** The default model's own guidance scale when `--guidance` was not given (SD's 7.5 over-saturates it). */
function withModelGuidance(args: GenerateArgs, model: DefaultModel): GenerateArgs {
  return args.guidance === undefined ? { ...args, guidance: model.guidanceScale } : args;
}

type Done = { readonly kind: 'done'; readonly images: RgbImage[]; readonly seed: number };

/** Writes a generation's progress and messages to stderr, keeping a terminal's bar on one line. */
class ProgressPrinter extends StderrProgress {
  state: ProgressState = INITIAL_PROGRESS;

  event(event: GenerationEvent): void {
    const before = this.state.preparing;
    this.state = updateProgress(this.state, event, this.io.now());
    if (event.type === 'step') this.write(renderStep(this.state, this.mode));
    else if (event.type === 'preparing') this.preparing(before, this.state.preparing!);
  }
}

/**
 * `perfusion generate`: loads the model, streams the generation's events into a progress display
 * and preview files, writes the images. With the default model, the concepts bundled with it
 * whose token the prompt contains join the `--concept` ones. Ctrl-C unsubscribes, which stops the
 * pipeline before its next UNet call; nothing is written for the unfinished image.
 */
export async function runGenerate(given: GenerateArgs, io: CliIo, options: GenerateOptions = {}): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`);
  const givenTokens = await checkConceptFiles(given);
  const { dir: modelDir, defaultModel } = await resolveModel(given.model, 'generate', say);
  const args = defaultModel === undefined ? given : withModelGuidance(await withBundledConcepts(given, options.bundledConceptsDir ?? defaultModel.conceptsDir, givenTokens, say), defaultModel);
  if (args.out !== undefined) fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
  if (args.previews !== undefined) fs.mkdirSync(args.previews, { recursive: true });

  let pipeline: Pipeline | undefined;
  const mode: ProgressMode = io.stderrIsTTY ? { tty: true, columns: io.columns } : { tty: false };
  const progress = new ProgressPrinter(io, mode);

  const run = new CancellableRun(io, (following) => {
    progress.endBar();
    say(`cancelling ${following ? 'after the current step' : 'once the model has loaded'} (Ctrl-C again to quit at once)...`);
  });

  try {
    const loadStarted = io.now();
    pipeline = await loadPipeline(modelDir, {
      session: { ...CLI_PIPELINE_SETTINGS.session, onWarning: (message) => progress.message(`warning: ${message}`) },
      guidanceBatching: CLI_PIPELINE_SETTINGS.guidanceBatching,
      perfusion: perfusionOption(args),
    });
    say(`loaded in ${((io.now() - loadStarted) / 1000).toFixed(1)} s`);
    if (run.interrupted) {
      say('cancelled before the first step; no image written.');
      return EXIT_INTERRUPTED;
    }

    let previewWrites: Promise<void> = Promise.resolve();
    const batchSize = args.batch;
    const outcome = await run.follow<GenerationEvent, Done>(pipeline.generate(generationRequest(args)), (event) => {
      progress.event(event);
      switch (event.type) {
        case 'start': {
          const r = event.request;
          progress.message(
            `seed ${event.seed}, ${event.totalSteps} steps, ${r.width}x${r.height}, scheduler ${r.scheduler}, guidance ${r.guidanceScale}` +
              (batchSize > 1 ? `, batch ${batchSize}` : ''),
          );
          for (const line of conceptLines(r, args.concepts)) progress.message(line);
          break;
        }
        case 'preparing':
          break;
        case 'warning':
          progress.message(`warning: ${event.message}`);
          break;
        case 'step': {
          const previews = event.preview;
          if (args.previews !== undefined && previews !== undefined) {
            const dir = args.previews;
            const index = event.index;
            previewWrites = previewWrites.then(() =>
              Promise.all(previews.map((image, i) => writePng(previewPath(dir, index, i, previews.length), image))).then(() => undefined),
            );
          }
          break;
        }
        case 'done':
          return { kind: 'done', images: event.images, seed: event.seed };
      }
      return undefined;
    });
    // Previews already started are finished (each is a whole file, written atomically).
    await previewWrites;
    progress.endBar();

    if (outcome.kind === 'cancelled') {
      const { completed, totalSteps } = progress.state;
      say(`cancelled after step ${completed}/${totalSteps}; no image written.`);
      return EXIT_INTERRUPTED;
    }
    say(renderSummary(progress.state));
    const paths = imagePaths(args.out ?? defaultOutPath(outcome.seed), outcome.images.length);
    for (const [i, image] of outcome.images.entries()) {
      await writePng(paths[i]!, image);
      io.stdout(`${paths[i]}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    progress.endBar();
    // A request the pipeline rejects (e.g. a size its model cannot take) or a --model folder that
    // is not a model folder is a bad command line too.
    // A concept file the pipeline refuses (made for another model, ...) is bad input but not a bad
    // command line: its message (concept-format's, naming the file and field) is enough.
    if (error instanceof InvalidRequestError && error.cause instanceof ConceptFormatError) throw error;
    if (error instanceof InvalidRequestError || error instanceof ModelFolderError) throw new CliUsageError(error.message, 'generate');
    throw error;
  } finally {
    run.stop();
    await pipeline?.release();
  }
}
