/**
 * @perfusion/cli: the `perfusion` command. The modules are exported so that the command line
 * can be parsed, its help printed and its progress rendered from code and tests.
 */
export { COMMANDS, parseCommandLine, type CommandLine, type CommandName, type GenerateArgs } from './args.js';
export { runCli } from './cli.js';
export { ensureDefaultModel, type DefaultModel } from './default-model.js';
export { CliError, CliUsageError } from './errors.js';
export { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export { CLI_PIPELINE_SETTINGS, generationRequest, runGenerate } from './generate-command.js';
export { GENERATE_HELP, GLOBAL_HELP, helpText } from './help.js';
export type { CliIo } from './io.js';
export { GENERATE_OPTIONS, GLOBAL_OPTIONS, NOISE_MODES, type NoiseMode, type OptionSpec } from './options.js';
export { defaultOutPath, imagePaths, previewPath } from './output-paths.js';
export {
  etaSeconds,
  formatDuration,
  formatRate,
  INITIAL_PROGRESS,
  REDRAW,
  renderBar,
  renderMessage,
  renderPlainStep,
  renderStep,
  renderSummary,
  stepsPerSecond,
  updateProgress,
  type ProgressMode,
  type ProgressState,
} from './progress.js';
