import * as path from 'node:path';
import { TEXT_ENCODER, type TextEncoder } from '@perfusion/encoders';
import { OnnxSession, type SessionOptions } from '@perfusion/onnx-graph';
import type { Pipeline } from '@perfusion/pipeline';
import { inspectUnetIo, readUnetConfig } from '@perfusion/unet';
import { textEncoderVjpGraph } from '../graphs/text-encoder-vjp.js';
import { unetTrainingGraph } from '../graphs/unet-training-graph.js';
import type { GradientModel } from './concept-gradients.js';
import { TrainingSetupError } from './errors.js';

/** Where the training graphs are cached and how their sessions run. */
export interface GradientModelOptions {
  readonly session?: SessionOptions;
  readonly cacheDir?: string;
  readonly allowCopy?: boolean;
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
  const unetGraph = await unetTrainingGraph(patched, graphOptions);
  const vjpGraph = await textEncoderVjpGraph(encoder.extension.modelPath, graphOptions);
  const owned: OnnxSession[] = [];
  // Pre-packed weight copies pay off in repeated forward calls, not here: without them the sd15 UNet
  // training session holds 6.7 GiB after loading instead of 11.2, and a 512×512 step was no slower
  // (docs/benchmarks.md). A caller's own config entries win.
  const session = { ...options.session, configEntries: { 'session.disable_prepacking': '1', ...options.session?.configEntries } };
  try {
    const unetSession = await OnnxSession.create(unetGraph.modelPath, session);
    owned.push(unetSession);
    const vjpSession = await OnnxSession.create(vjpGraph.modelPath, session);
    owned.push(vjpSession);
    // The training graph has the patched UNet's inputs; its only output of the UNet's kind is the loss.
    const config = await readUnetConfig(path.join(path.dirname(patched.modelPath), 'config.json'));
    const io = inspectUnetIo(unetSession.path, unetSession.inputs, [unetGraph.loss], config);
    return {
      model: { encoder, unet: { session: unetSession, graph: unetGraph, io }, vjp: { session: vjpSession, graph: vjpGraph }, patched, weights: perfusion.weights },
      owned,
    };
  } catch (error) {
    await Promise.allSettled(owned.map((s) => s.release()));
    throw error;
  }
}
