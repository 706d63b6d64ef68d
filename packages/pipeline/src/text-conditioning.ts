import type { ClipTokenizer, TextEncoder } from '@perfusion/encoders';
import { Tensor } from '@perfusion/tensor-core';
import type { WarningEvent } from './events.js';

/** What the pipeline needs from a tokenizer. */
export type PromptTokenizer = Pick<ClipTokenizer, 'encode' | 'maxLength'>;

/** What the pipeline needs from a text encoder. */
export type PromptEncoder = Pick<TextEncoder, 'encode'>;

/** The token rows to encode, unconditional first, and the truncation warnings. */
export interface TokenizedPrompts {
  /** `[negative, prompt]` with guidance, `[prompt]` without. */
  readonly rows: readonly Int32Array[];
  readonly warnings: readonly WarningEvent[];
}

/**
 * Tokenises the prompt and, when guidance is on (scale > 1), the negative prompt (the empty string
 * when absent, as diffusers). Text past the encoder's window becomes a `prompt-truncated` warning.
 */
export function tokenizePrompts(tokenizer: PromptTokenizer, prompt: string, negativePrompt: string, guided: boolean): TokenizedPrompts {
  const warnings: WarningEvent[] = [];
  const cond = tokenizer.encode(prompt);
  if (cond.truncated) warnings.push(truncationWarning('prompt', tokenizer.maxLength, cond.droppedText ?? ''));
  if (!guided) return { rows: [cond.ids], warnings };
  const uncond = tokenizer.encode(negativePrompt);
  if (uncond.truncated) warnings.push(truncationWarning('negative prompt', tokenizer.maxLength, uncond.droppedText ?? ''));
  return { rows: [uncond.ids, cond.ids], warnings };
}

function truncationWarning(which: string, maxLength: number, droppedText: string): WarningEvent {
  return {
    type: 'warning',
    code: 'prompt-truncated',
    message: `The ${which} is longer than the text encoder's ${maxLength} tokens; this part was dropped: "${droppedText}"`,
    droppedText,
  };
}

/**
 * Repeats each row of the encoder's output `batchSize` times, keeping row order: [u, c] becomes
 * [u × batch, c × batch] (diffusers' `repeat_interleave` per prompt, then `cat([uncond, cond])`).
 */
export function repeatRows(encoded: Tensor<'float32'>, batchSize: number): Tensor<'float32'> {
  if (batchSize === 1) return encoded;
  const [rows, ...rest] = encoded.shape;
  const rowSize = encoded.size / rows!;
  const out = new Float32Array(rows! * batchSize * rowSize);
  for (let r = 0; r < rows!; r++) {
    const row = encoded.data.subarray(r * rowSize, (r + 1) * rowSize);
    for (let b = 0; b < batchSize; b++) out.set(row, (r * batchSize + b) * rowSize);
  }
  return new Tensor('float32', out, [rows! * batchSize, ...rest]);
}
