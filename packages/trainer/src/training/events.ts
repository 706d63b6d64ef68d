import type { ConceptFile } from '@perfusion/concept-format';
import type { RgbImage } from '@perfusion/encoders';
import type { ResolvedTrainingRequest } from './request.js';

/** What `ConceptTrainer.train` streams, in order: `start`, `preparing`…, then `step` (with `checkpoint` and `sample` between), `done`. */
export type TrainingEvent = TrainingStartEvent | TrainingPreparingEvent | TrainingStepEvent | TrainingCheckpointEvent | TrainingSampleEvent | TrainingDoneEvent;

export interface TrainingStartEvent {
  readonly type: 'start';
  readonly request: ResolvedTrainingRequest;
  /** Images found (each with its flipped copy when flips are on). */
  readonly images: number;
  /** Steps already done (resumed from a checkpoint), else 0. */
  readonly startStep: number;
  readonly totalSteps: number;
}

/** Work before the first step: the covariance (once per base model) and the latents of the images. */
export interface TrainingPreparingEvent {
  readonly type: 'preparing';
  readonly stage: 'covariance' | 'latents';
  readonly done: number;
  readonly total: number;
}

export interface TrainingStepEvent {
  readonly type: 'step';
  /** Steps completed, 1 … totalSteps. */
  readonly step: number;
  readonly totalSteps: number;
  /** This step's loss (batch mean of the weighted squared error). */
  readonly loss: number;
  /** Mean loss of the last (up to) 20 steps: a steadier number to watch. */
  readonly smoothedLoss: number;
  /** Steps per second over this run so far (excluding preparation). */
  readonly stepsPerSecond: number;
  /** Estimated seconds to the last step. */
  readonly etaSeconds: number;
}

export interface TrainingCheckpointEvent {
  readonly type: 'checkpoint';
  readonly step: number;
  readonly file: string;
}

export interface TrainingSampleEvent {
  readonly type: 'sample';
  readonly step: number;
  readonly prompt: string;
  readonly image: RgbImage;
}

export interface TrainingDoneEvent {
  readonly type: 'done';
  /** The trained concept (also written to `request.out` when given). */
  readonly concept: ConceptFile;
  readonly file: string | undefined;
  readonly steps: number;
  readonly finalLoss: number;
}
