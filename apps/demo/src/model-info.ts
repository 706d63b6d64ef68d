import type { ModelDescription } from '@perfusion/concept-format';
import { DEFAULT_STEPS, describePerfusionModel, readModelFolder, type PipelineModel } from '@perfusion/pipeline';
import { SCHEDULER_NAMES } from '@perfusion/scheduler';

/** The model part of `GET /api/status`: what a page needs to fill its form. */
export interface ModelStatus {
  readonly name: string;
  readonly dir: string;
  /** Default image size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly defaultSteps: number;
  readonly schedulers: readonly string[];
  /** The scheduler a request without one gets (from the model's scheduler_config.json). */
  readonly defaultScheduler: string;
}

/** What the server knows about its model without running it. */
export interface ModelInfo {
  readonly status: ModelStatus;
  /** The folder's configs as the pipeline reads them (requests are validated against them before queueing). */
  readonly model: PipelineModel;
  /** The base model as concept-format's `compatibility` compares concepts with it. */
  readonly expectation: ModelDescription & { readonly encodingDim: number };
}

/**
 * Reads the model folder's configs and describes it for concepts (cross-attention layers and
 * fingerprint; no session is created). Throws the pipeline's `ModelFolderError` for a folder that
 * is not a model.
 */
export async function readModelInfo(dir: string, name?: string): Promise<ModelInfo> {
  const model = await readModelFolder(dir);
  const description = await describePerfusionModel(model.modelDir);
  return {
    model,
    status: {
      name: name ?? description.name,
      dir: model.modelDir,
      width: model.defaultWidth,
      height: model.defaultHeight,
      defaultSteps: DEFAULT_STEPS,
      schedulers: SCHEDULER_NAMES,
      // A config naming no known scheduler makes every request name one; PNDM is SD-1.x's own.
      defaultScheduler: model.defaultScheduler ?? 'pndm',
    },
    expectation: {
      fingerprint: description.fingerprint,
      layers: description.layers,
      embeddingDim: description.embeddingDim,
      encodingDim: description.encodingDim,
    },
  };
}
