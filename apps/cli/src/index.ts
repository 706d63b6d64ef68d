/**
 * @perfusion/cli: the `perfusion` command. The modules are exported so that the command line
 * can be parsed, its help printed and its progress rendered from code and tests.
 */
export {
  COMMANDS,
  CONCEPT_SUBCOMMANDS,
  parseCommandLine,
  type CommandLine,
  type CommandName,
  type CovarianceArgs,
  type FromWordsArgs,
  type GenerateArgs,
  type InspectArgs,
  type TrainArgs,
} from './args.js';
export { runCli } from './cli.js';
export { ensureDefaultModel, type DefaultModel } from './default-model.js';
export { CliError, CliUsageError } from './errors.js';
export { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export { CLI_PIPELINE_SETTINGS, conceptLines, generationRequest, perfusionOption, runGenerate, type GenerateOptions } from './generate-command.js';
export { bundledConcepts, type BundledConcepts, type ConceptFileToken } from './bundled-concepts.js';
export { formatTraining, renderInspect, runInspect, type InspectReport, type InspectedModel } from './inspect-command.js';
export { renderCovariance, runCovariance } from './covariance-command.js';
export { defaultConceptPath, runFromWords } from './from-words-command.js';
export { isBadInput } from './bad-input.js';
export { checkModelDir, resolveModel, type ResolvedModel } from './model-dir.js';
export { CONCEPT_HELP, COVARIANCE_HELP, FROM_WORDS_HELP, GENERATE_HELP, GLOBAL_HELP, INSPECT_HELP, TRAIN_HELP, helpText } from './help.js';
export { checkTrainingFiles, runTrain, trainingPaths, trainingRequest, type TrainingPaths } from './train-command.js';
export { renderCancelled, renderTrainingResult, resumeCommand, shellQuote, type TrainingResult } from './train-messages.js';
export {
  formatLoss,
  INITIAL_TRAINING_PROGRESS,
  isLogLineDue,
  LOG_LINE_INTERVAL_MS,
  renderTrainingBar,
  renderTrainingLine,
  renderTrainingStart,
  renderTrainingStep,
  renderTrainingSummary,
  updateTrainingProgress,
  type TrainingProgress,
} from './train-progress.js';
export type { CliIo } from './io.js';
export {
  CONCEPT_DTYPES,
  COVARIANCE_OPTIONS,
  FROM_WORDS_OPTIONS,
  GENERATE_OPTIONS,
  GLOBAL_OPTIONS,
  INSPECT_OPTIONS,
  MULTI_CONCEPT_MODES,
  NOISE_MODES,
  TRAIN_DEFAULTS,
  TRAIN_OPTIONS,
  type ConceptDTypeName,
  type MultiConceptMode,
  type NoiseMode,
  type OptionSpec,
} from './options.js';
export { parseConceptSpec, type ConceptSpec } from './values.js';
export { defaultCheckpointPath, defaultOutPath, imagePaths, previewPath, samplePath } from './output-paths.js';
export {
  etaSeconds,
  formatDuration,
  formatRate,
  INITIAL_PROGRESS,
  REDRAW,
  renderBar,
  renderMessage,
  renderPlainStep,
  renderPreparing,
  renderPreparingLine,
  renderPreparingSummary,
  preparingEtaSeconds,
  updatePreparing,
  type PreparingState,
  renderStep,
  renderSummary,
  stepsPerSecond,
  updateProgress,
  type ProgressMode,
  type ProgressState,
} from './progress.js';
