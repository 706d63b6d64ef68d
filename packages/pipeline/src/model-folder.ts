import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { configClassName, defaultSchedulerName, loadSchedulerConfig, type SchedulerConfig } from '@perfusion/scheduler';
import { ModelFolderError } from './errors.js';

/** What the pipeline reads from a model folder besides the ONNX graphs. */
export interface PipelineModel {
  /** Absolute path of the folder. */
  readonly modelDir: string;
  /** `model_index.json`, parsed. */
  readonly modelIndex: Readonly<Record<string, unknown>>;
  /** `scheduler/scheduler_config.json`, parsed (what the file says). */
  readonly schedulerConfig: SchedulerConfig;
  /** The config's `_class_name` (e.g. `PNDMScheduler`), when it has one. */
  readonly schedulerClassName: string | undefined;
  /** The registry name of that class (`pndm`), or undefined when no scheduler here implements it. */
  readonly defaultScheduler: string | undefined;
  /** Pixels per latent cell: 2^(number of VAE blocks − 1), 8 for SD-1.x. */
  readonly vaeScaleFactor: number;
  /** Default image size in pixels: the UNet config's `sample_size` × {@link vaeScaleFactor} (512 when the config is absent, as diffusers' ONNX pipeline). */
  readonly defaultWidth: number;
  readonly defaultHeight: number;
}

/** Files a model folder must have, relative to it. */
export const REQUIRED_MODEL_FILES: readonly string[] = [
  'model_index.json',
  'scheduler/scheduler_config.json',
  'tokenizer/vocab.json',
  'tokenizer/merges.txt',
  'text_encoder/model.onnx',
  'unet/model.onnx',
  'vae_decoder/model.onnx',
];

const FALLBACK_IMAGE_SIZE = 512;
const FALLBACK_VAE_SCALE_FACTOR = 8;

/**
 * Checks that `modelDir` is a model folder and reads its configs.
 *
 * @throws {ModelFolderError} naming every missing file, or the config that cannot be read.
 */
export async function readModelFolder(modelDir: string): Promise<PipelineModel> {
  const dir = path.resolve(modelDir);
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw new ModelFolderError(dir, [], 'the folder does not exist');
  if (!info.isDirectory()) throw new ModelFolderError(dir, [], 'it is a file, not a folder');
  const present = await Promise.all(REQUIRED_MODEL_FILES.map((file) => stat(path.join(dir, file)).then((s) => s.isFile(), () => false)));
  const missing = REQUIRED_MODEL_FILES.filter((_, i) => !present[i]);
  if (missing.length > 0) throw new ModelFolderError(dir, missing, `missing ${missing.join(', ')}`);

  const modelIndex = await readJsonObject(dir, 'model_index.json', true);
  const schedulerConfig = await loadSchedulerConfig(path.join(dir, 'scheduler', 'scheduler_config.json'));
  const unetConfig = await readJsonObject(dir, 'unet/config.json', false);
  const vaeConfig = await readJsonObject(dir, 'vae_decoder/config.json', false);

  const vaeScaleFactor = scaleFactorOf(dir, vaeConfig);
  const [sampleHeight, sampleWidth] = sampleSizeOf(dir, unetConfig);
  return {
    modelDir: dir,
    modelIndex: modelIndex!,
    schedulerConfig,
    schedulerClassName: configClassName(schedulerConfig),
    defaultScheduler: defaultSchedulerName(schedulerConfig),
    vaeScaleFactor,
    defaultWidth: sampleWidth === undefined ? FALLBACK_IMAGE_SIZE : sampleWidth * vaeScaleFactor,
    defaultHeight: sampleHeight === undefined ? FALLBACK_IMAGE_SIZE : sampleHeight * vaeScaleFactor,
  };
}

async function readJsonObject(dir: string, file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFolderError(dir, [], `${file} cannot be read (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError(dir, [], `${file} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFolderError(dir, [], `${file} does not hold a JSON object`);
  }
  return json as Record<string, unknown>;
}

/** diffusers' `vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)`. */
function scaleFactorOf(dir: string, vaeConfig: Record<string, unknown> | undefined): number {
  const blocks = vaeConfig?.['block_out_channels'];
  if (blocks === undefined) return FALLBACK_VAE_SCALE_FACTOR;
  if (!Array.isArray(blocks) || blocks.length < 1 || blocks.length > 8) {
    throw new ModelFolderError(dir, [], 'vae_decoder/config.json: "block_out_channels" is not a list of 1 to 8 channel counts');
  }
  return 2 ** (blocks.length - 1);
}

/** The UNet's `sample_size` as [height, width] in latent cells (an integer, or a [height, width] pair). */
function sampleSizeOf(dir: string, unetConfig: Record<string, unknown> | undefined): [number | undefined, number | undefined] {
  const size = unetConfig?.['sample_size'];
  if (size === undefined || size === null) return [undefined, undefined];
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (positive(size)) return [size, size];
  if (Array.isArray(size) && size.length === 2 && positive(size[0]) && positive(size[1])) return [size[0], size[1]];
  throw new ModelFolderError(dir, [], `unet/config.json: "sample_size" is ${JSON.stringify(size)}, not a positive integer or a [height, width] pair`);
}
