import * as path from 'node:path';
import { TEXT_ENCODER, type TextEncoder } from '@perfusion/encoders';
import { OnnxSession, type SessionOptions } from '@perfusion/onnx-graph';
import type { Pipeline } from '@perfusion/pipeline';
import { inspectUnetIo, readUnetConfig, type PatchedUnet } from '@perfusion/unet';
import { textEncoderVjpGraph } from '../graphs/text-encoder-vjp.js';
import { unetTrainingGraph } from '../graphs/unet-training-graph.js';
import type { GradientModel } from './concept-gradients.js';
import { TrainingSetupError } from './errors.js';
import type { KeysMode } from './request.js';

/** Where the training graphs are cached and how their sessions run. */
export interface GradientModelOptions {
  readonly session?: SessionOptions;
  readonly cacheDir?: string;
  readonly allowCopy?: boolean;
  /** Which UNet training graph: `'locked'` (default) differentiates the V rows, `'trained'` the K rows too. */
  readonly keys?: KeysMode;
}

/**
 * The sessions Perfusion's gradients need, for a pipeline loaded with Perfusion: the pipeline's text
 * encoder (with added-token support) and patched UNet's layers and weights, plus two new sessions —
 * the UNet training graph and the text encoder's VJP graph (both built with onnx-graph's autodiff and
 * cached beside the model). Release the two new sessions (`owned`) when done.
 * @throws TrainingSetupError for a pipeline without Perfusion or without added-token support.
 */
export async function loadGradientModel(pipeline: Pipeline, options: GradientModelOptions = {}): Promise<{ model: GradientModel; owned: OnnxSession[] }> {
  const perfusion = pipeline.perfusion;
  const modelDir = pipeline.model.modelDir;
  if (perfusion === undefined) throw new TrainingSetupError(`The pipeline for ${modelDir} was loaded without Perfusion; load it with the default perfusion option to train concepts.`);
  const encoder = pipeline.container.resolve(TEXT_ENCODER) as TextEncoder;
  if (encoder.extension === undefined) throw new TrainingSetupError(`The pipeline's text encoder for ${modelDir} was loaded without added-token support; training needs it.`);
  const patched = perfusion.patched;
  const graphOptions = { ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }), allowCopy: options.allowCopy === true };
  const owned: OnnxSession[] = [];
  try {
    const unet = await loadUnetTraining(patched, options);
    owned.push(unet.session);
    const vjpGraph = await textEncoderVjpGraph(encoder.extension.modelPath, graphOptions);
    const vjpSession = await OnnxSession.create(vjpGraph.modelPath, trainingSessionOptions(options.session));
    owned.push(vjpSession);
    return { model: { encoder, unet, vjp: { session: vjpSession, graph: vjpGraph }, patched, weights: perfusion.weights }, owned };
  } catch (error) {
    await Promise.allSettled(owned.map((s) => s.release()));
    throw error;
  }
}

/**
 * The UNet training graph for `options.keys` (built and cached on first use) and a session of it:
 * the `unet` part of a {@link GradientModel}. The caller releases the session.
 */
export async function loadUnetTraining(patched: PatchedUnet, options: GradientModelOptions = {}): Promise<GradientModel['unet']> {
  const graph = await unetTrainingGraph(patched, {
    ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
    allowCopy: options.allowCopy === true,
    ...(options.keys !== undefined && { keys: options.keys }),
  });
  const session = await OnnxSession.create(graph.modelPath, trainingSessionOptions(options.session));
  try {
    // The training graph has the patched UNet's inputs; its only output of the UNet's kind is the loss.
    const config = await readUnetConfig(path.join(path.dirname(patched.modelPath), 'config.json'));
    return { session, graph, io: inspectUnetIo(session.path, session.inputs, [graph.loss], config) };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/**
 * Pre-packed weight copies pay off in repeated forward calls, not here: without them the sd15 UNet
 * training session holds 6.7 GiB after loading instead of 11.2, and a 512×512 step was no slower
 * (docs/benchmarks.md). A caller's own config entries win.
 */
function trainingSessionOptions(session: SessionOptions | undefined): SessionOptions {
  return { ...session, configEntries: { 'session.disable_prepacking': '1', ...session?.configEntries } };
}
