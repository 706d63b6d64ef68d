/**
 * @perfusion/toymodel: the toy-world text-to-image model — its architecture and BPE vocabulary,
 * its training with the project's own autodiff, the evaluator, the example concept and its
 * fidelity/alignment sweep, and the committed weights the apps use by default.
 */
export { TOY_IMAGE_SIZE, TOY_TEXT_ENCODER, TOY_UNET, TOY_VAE, TOY_PREDICTION_TYPE, TOY_LATENT_SIZE, toyLatentShape, toySchedulerConfig } from './architecture.js';
export { ensureDefaultModel, DEFAULT_MODEL_GUIDANCE, type DefaultModel } from './default-model.js';
export { TOY_CONCEPTS_DIR, TOY_MODEL_DIR } from './model-dir.js';
export { BaseTrainingError, GraphJoinError, ToyModelError } from './errors.js';
export { toyTokenizer, toyCorpus, TOY_VOCAB_SIZE } from './tokenizer/toy-tokenizer.js';
export { trainingCaption, CAPTION_FRAMINGS } from './data/training-caption.js';
export { isHeldOut, trainingScene, curriculumScene, heldOutScene, HARD_SHAPES, HARD_SCENE_SHARE, LOOKALIKE_SHAPES, LOOKALIKE_SCENE_SHARE, LOW_CONTRAST_SCENE_SHARE, lowContrastPairs, type ColourOnBackground, type WeightedColourPair, SMALL_SCENE_SHARE, SMALL_SCENE_GRAY_CHANCE, type TrainingSceneOptions, type CurriculumSceneOptions } from './data/held-out.js';
export { PATTERN_RATE, TRAINING_PATTERN_CELL, isExampleConceptPattern, withRandomPatterns } from './data/patterns.js';
export { colourLatents, medianPairDistance, latentContrastFactor } from './data/latent-contrast.js';
export { randomImageBatch, scenesToPixels, toModelRange, normalTensor, objectPixelWeights, objectBoxWeights, objectCellWeights, contrastFactor, inverseSquareFactor, CONTRAST_REFERENCE, MAX_CONTRAST_FACTOR, type ContrastFactor, type ImageBatch } from './data/scene-batches.js';
export { pixelsToImages } from './data/pixels-to-images.js';
export { joinModels, type JoinOptions } from './graphs/join-models.js';
export { withTrainableInputs, type TrainableModel, type TrainableParameter } from './graphs/trainable-parameters.js';
export { autoencoderTrainingGraph, decoderTrainingGraph, diffusionTrainingGraph, latentDecoderTrainingGraph, initialNetwork, INITIAL_WEIGHTS_SEED, type ToyComponent, type TrainingGraph } from './graphs/training-graphs.js';
export { withWeights, componentWeights, trainedNetwork } from './graphs/with-weights.js';
export { trainStage, learningRateAt, checkpointFile, LOG_INTERVAL, type StageDefinition, type StageSettings, type StageProgress, type TrainStageOptions } from './training/train-stage.js';
export { readStageCheckpoint, writeStageCheckpoint, type StageCheckpoint } from './training/checkpoint.js';
export { autoencoderStage, decoderStage, latentDecoderStage, generatedLatentsFile, GENERATED_LATENT_SHARE, diffusionStage, sampleTimestep, MID_NOISE_TIMESTEPS, MID_NOISE_SHARE, toyNoiseSchedule, loadTrainedEncoder, KL_WEIGHT, OBJECT_PIXEL_WEIGHT, BOX_WEIGHT_MARGIN, SMALL_BOX_WEIGHT_FACTOR, OBJECT_CELL_WEIGHT, CAPTION_DROPOUT, type TrainedEncoder } from './training/stages.js';
export { SWITCH_STEPS, switchFlag, type StageCurriculum } from './training/curriculum.js';
export { STAGE_SETTINGS, type BaseStageName } from './training/stage-settings.js';
export { checkpointFromModel, seedStagesFromModel, STAGE_COMPONENTS } from './training/seed-from-model.js';
export { writeToyModel, type ToyModelSources } from './export/write-toy-model.js';
export { averageToyModels, AVERAGED_COMPONENTS, ModelAverageError } from './export/average-models.js';
export { autoencodeScenes } from './evaluate/round-trip.js';
export { pairCheck, parseColourPairs, type PairCheckRow, type PairTally } from './evaluate/pair-check.js';
export { evaluateModel, evaluateScene, evaluationScenes, shapeMisses, EVALUATION_DEFAULTS, type EvaluationReport, type EvaluationSettings, type EvaluatedSample } from './evaluate/evaluate-model.js';
export { accuracyOf, formatShapeTallies, shapeRight, shapeTallies, type AttributeAccuracy, type ShapeTally } from './evaluate/accuracy.js';
export { reportTable } from './evaluate/report-table.js';
export { EXAMPLE_CONCEPT, EXAMPLE_PATTERN_COLOURS, exampleConceptMask, exampleConceptScenes, writeExampleConceptImages } from './concept/example-concept.js';
export { sweepPoint, sweepPrompts, wordsPoint, type SweepPoint, type SweepPrompt, type SweepSettings } from './concept/tradeoff-sweep.js';
export { plotDomain, tradeoffPlotPng, type TradeoffSeries } from './concept/tradeoff-plot.js';
export { generateLatents, readGeneratedLatents, writeGeneratedLatents, layoutRight, GENERATED_SEED_BASE, type GeneratedLatents, type GenerateLatentsOptions } from './data/generated-latents.js';
