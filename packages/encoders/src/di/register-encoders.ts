import * as path from 'node:path';
import type { SessionOptions } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import type { DependencyContainer } from 'tsyringe';
import { EncodersError } from '../errors.js';
import { TextEncoder } from '../models/text-encoder.js';
import { VaeDecoder } from '../models/vae-decoder.js';
import { VaeEncoder } from '../models/vae-encoder.js';
import { LinearLatentPreview, type NormalSource } from '../preview/linear-latent-preview.js';
import type { PreviewDecoder } from '../preview/preview-decoder.js';
import type { ExtendTextEncoderOptions } from '../token-embeddings/extended-model-cache.js';
import { ClipTokenizer, type ClipTokenizerOptions } from '../tokenizer/clip-tokenizer.js';
import { PREVIEW_DECODER, TEXT_ENCODER, TOKENIZER, VAE_DECODER, VAE_ENCODER } from './tokens.js';

/** Options of {@link registerEncoders}. */
export interface RegisterEncodersOptions {
  /** A model folder in the diffusers/optimum ONNX layout (tokenizer/, text_encoder/, vae_decoder/, vae_encoder/). */
  readonly modelDir: string;
  /** onnxruntime options for every session created here. */
  readonly session?: SessionOptions;
  /**
   * Create the text encoder with added-token support (`TextEncoder.create(path, { addedTokens })`):
   * `true` loads the copy of the graph extended for added tokens from the default cache (writing it
   * the first time), an object sets that cache's folder or allows copying weights. Needed for
   * Perfusion concepts (their tokens' embeddings are fed at run time). Prompts without added tokens
   * encode exactly as with the plain model. Default false.
   */
  readonly addedTokens?: boolean | ExtendTextEncoderOptions;
  /** Also load vae_encoder/ (needed for training, not for generation). Default false. */
  readonly withVaeEncoder?: boolean;
  /** Tokenizer options (text cleanup). */
  readonly tokenizer?: ClipTokenizerOptions;
  /**
   * The preview decoder: `'sd1'` (default) uses SD 1.x's latent → RGB factors; `'fit'` fits a linear
   * map to this model's VAE decoder once (a few small decodes; for VAEs that are not SD's, such as
   * the test fixtures'); or an instance to use as it is.
   */
  readonly preview?: 'sd1' | 'fit' | PreviewDecoder;
  /** Where `'fit'` draws its random latents from. Default `new Rng(0)` (the same fit every time). */
  readonly previewRng?: NormalSource;
}

/**
 * Creates the model folder's tokenizer, text encoder, VAE decoder (and VAE encoder when asked) and
 * a preview decoder, and registers them in `container` as values under {@link TOKENIZER},
 * {@link TEXT_ENCODER}, {@link VAE_DECODER}, {@link VAE_ENCODER} and {@link PREVIEW_DECODER}.
 * If any fails to load, the sessions already created are released and nothing is registered.
 * The caller owns the sessions: release them (e.g. `container.resolve(TEXT_ENCODER).release()`) when done.
 */
export async function registerEncoders(container: DependencyContainer, options: RegisterEncodersOptions): Promise<void> {
  if (options === undefined || typeof options.modelDir !== 'string') {
    throw new EncodersError('registerEncoders: options.modelDir must name a model folder (with tokenizer/, text_encoder/, vae_decoder/).');
  }
  const dir = path.resolve(options.modelDir);
  const session = options.session ?? {};
  const addedTokens = options.addedTokens;
  const results = await Promise.allSettled([
    ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'), options.tokenizer),
    TextEncoder.create(path.join(dir, 'text_encoder', 'model.onnx'), addedTokens === undefined || addedTokens === false ? session : { ...session, addedTokens }),
    VaeDecoder.create(path.join(dir, 'vae_decoder'), session),
    options.withVaeEncoder === true ? VaeEncoder.create(path.join(dir, 'vae_encoder'), session) : Promise.resolve(undefined),
  ] as const);
  const sessions = results.flatMap((r) => (r.status === 'fulfilled' && r.value !== undefined && 'release' in r.value ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const releaseAll = (): Promise<unknown> => Promise.all(sessions.map((s) => s.release()));
  if (failure !== undefined) {
    await releaseAll();
    throw failure.reason;
  }
  const [tokenizer, textEncoder, vaeDecoder, vaeEncoder] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    ClipTokenizer,
    TextEncoder,
    VaeDecoder,
    VaeEncoder | undefined,
  ];

  let preview: PreviewDecoder;
  try {
    if (options.preview === undefined || options.preview === 'sd1') preview = LinearLatentPreview.SD1;
    else if (options.preview === 'fit') preview = await LinearLatentPreview.fit(vaeDecoder, options.previewRng ?? new Rng(0));
    else preview = options.preview;
  } catch (error) {
    await releaseAll();
    throw error;
  }

  container.register(TOKENIZER, { useValue: tokenizer });
  container.register(TEXT_ENCODER, { useValue: textEncoder });
  container.register(VAE_DECODER, { useValue: vaeDecoder });
  if (vaeEncoder !== undefined) container.register(VAE_ENCODER, { useValue: vaeEncoder });
  container.register(PREVIEW_DECODER, { useValue: preview });
}
