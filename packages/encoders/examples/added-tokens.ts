import * as path from 'node:path';
import { ClipTokenizer, TextEncoder } from '@perfusion/encoders';

/**
 * Encodes a prompt with a new token, `<my-cat>`, whose input embedding starts as the word "cat"'s
 * (Perfusion initialises a concept token at its supercategory's embedding). `modelDir` is a
 * diffusers/optimum ONNX model folder.
 */
export async function encodeWithAddedToken(modelDir: string) {
  const tokenizer = await ClipTokenizer.fromFolder(path.join(modelDir, 'tokenizer'));
  const conceptId = tokenizer.addToken('<my-cat>'); // the first added id: tokenizer.vocabSize

  // The extended graph is written once to text_encoder/.perfusion-cache/ and reused after.
  const encoder = await TextEncoder.create(path.join(modelDir, 'text_encoder', 'model.onnx'), { addedTokens: true });
  try {
    const [cat] = tokenizer.tokenIds('cat');
    const embedding = await encoder.readTokenEmbedding(cat!); // tokenEmbeddingDim values, read in place

    // Row k of extraEmbeddings is the embedding of id vocabSize + k.
    const prompt = tokenizer.encode('a photo of <my-cat> on a beach');
    const hidden = await encoder.encode([prompt.ids], { extraEmbeddings: embedding });

    // Prompts without added tokens need no rows: one session serves both.
    const plain = await encoder.encode([tokenizer.encode('a photo of a dog').ids]);
    return { conceptId, embedding, hidden, plain, position: prompt.ids.indexOf(conceptId) };
  } finally {
    await encoder.release();
  }
}
