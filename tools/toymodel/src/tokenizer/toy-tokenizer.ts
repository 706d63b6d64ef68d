import { trainClipTokenizer, type FixtureTokenizer } from '@perfusion/fixtures';
import { Rng } from '@perfusion/tensor-core';
import { randomScene } from '@perfusion/toyworld';
import { trainingCaption } from '../data/training-caption.js';

/**
 * Tokens of the toy vocabulary: 512 byte tokens, 140 merges, the two special tokens. The corpus
 * supports 148 merges (pairs seen twice or more); by 140 every word of the world's captions is a
 * single token.
 */
export const TOY_VOCAB_SIZE = 654;

/** Words of prompts people and the concept trainer use that the world's captions lack. */
const PROMPT_WORDS = [
  'a photo of a', 'a picture of a', 'a close-up photo of a', 'a bright photo of the', 'a dark photo of the',
  'a cropped photo of the', 'a good photo of a', 'a photo of my', 'a photo of the small', 'a photo of the large',
  'a rendering of a', 'an image of the', 'with', 'pattern', 'checkered', 'striped', 'dotted',
];

/** The captions BPE learns from: seeded, so the vocabulary never changes between runs. */
export function toyCorpus(captions = 4000): string[] {
  const rng = new Rng(9);
  const texts: string[] = [];
  for (let i = 0; i < captions; i++) texts.push(trainingCaption(randomScene(rng.fork(`scene-${i}`)), rng.fork(`caption-${i}`)));
  for (const phrase of PROMPT_WORDS) for (let i = 0; i < 20; i++) texts.push(phrase);
  return texts;
}

let cached: FixtureTokenizer | undefined;

/** The toy model's CLIP-format BPE tokenizer (vocab.json, merges.txt, configs), trained once per process. */
export function toyTokenizer(): FixtureTokenizer {
  cached ??= trainClipTokenizer(toyCorpus(), TOY_VOCAB_SIZE);
  return cached;
}
