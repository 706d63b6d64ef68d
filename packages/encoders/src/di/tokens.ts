import type { InjectionToken } from 'tsyringe';
import type { TextEncoder } from '../models/text-encoder.js';
import type { VaeDecoder } from '../models/vae-decoder.js';
import type { VaeEncoder } from '../models/vae-encoder.js';
import type { PreviewDecoder } from '../preview/preview-decoder.js';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

// Symbols, so that tokens never collide with another package's string tokens.
/** The prompt tokenizer. */
export const TOKENIZER: InjectionToken<ClipTokenizer> = Symbol('perfusion.encoders.tokenizer');
/** The text encoder session. */
export const TEXT_ENCODER: InjectionToken<TextEncoder> = Symbol('perfusion.encoders.textEncoder');
/** The VAE decoder session. */
export const VAE_DECODER: InjectionToken<VaeDecoder> = Symbol('perfusion.encoders.vaeDecoder');
/** The VAE encoder session (registered only when asked for). */
export const VAE_ENCODER: InjectionToken<VaeEncoder> = Symbol('perfusion.encoders.vaeEncoder');
/** The step-preview decoder. */
export const PREVIEW_DECODER: InjectionToken<PreviewDecoder> = Symbol('perfusion.encoders.previewDecoder');
