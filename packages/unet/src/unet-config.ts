import { readFile } from 'node:fs/promises';
import { UnetConfigError } from './errors.js';

/** The numbers UNet uses from a diffusers `unet/config.json` (`UNet2DConditionModel`); absent ones are undefined. */
export interface UnetConfig {
  /** `in_channels`: latent channels of `sample` (4 for SD-1.x/2.x). */
  readonly inChannels?: number;
  /** `cross_attention_dim`: width of `encoder_hidden_states` (768 for SD-1.x, 1024 for SD-2.x). */
  readonly crossAttentionDim?: number;
  /** `sample_size`: the default latent height and width (64 for SD-1.5, so 512 pixels). */
  readonly sampleSize?: number;
}

/**
 * Reads `configPath` (a diffusers `config.json`). A missing file gives `undefined`: ONNX exports
 * often ship without one, and the graph's metadata usually says enough. An unreadable or malformed
 * file throws {@link UnetConfigError}. `cross_attention_dim` may be a per-block list in diffusers;
 * a list whose entries are all equal gives that value, any other list gives undefined.
 */
export async function readUnetConfig(configPath: string): Promise<UnetConfig | undefined> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UnetConfigError(`${configPath}: cannot read the UNet config (${(error as Error).message}).`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnetConfigError(`${configPath}: not valid JSON (${(error as Error).message}); fix or delete the file.`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UnetConfigError(`${configPath}: expected a JSON object (a diffusers UNet2DConditionModel config).`);
  }
  const record = json as Record<string, unknown>;
  return {
    inChannels: positiveInteger(record['in_channels']),
    crossAttentionDim: crossAttentionWidth(record['cross_attention_dim']),
    sampleSize: positiveInteger(record['sample_size']),
  };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function crossAttentionWidth(value: unknown): number | undefined {
  if (!Array.isArray(value)) return positiveInteger(value);
  const widths = value.map(positiveInteger);
  const first = widths[0];
  return first !== undefined && widths.every((w) => w === first) ? first : undefined;
}
