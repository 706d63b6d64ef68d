import * as path from 'node:path';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { ClipTokenizer, imageFromTensor, LinearLatentPreview, TextEncoder, VaeDecoder, writePng } from '@perfusion/encoders';

/**
 * Tokenises a prompt, encodes it, decodes latents into an image written as a PNG, and makes a
 * cheap preview of the same latents. `modelDir` is a diffusers/optimum ONNX model folder.
 */
export async function quickStart(modelDir: string, outFile: string) {
  // The tokenizer reads tokenizer/vocab.json, merges.txt and the special tokens.
  const tokenizer = await ClipTokenizer.fromFolder(path.join(modelDir, 'tokenizer'));
  const conceptId = tokenizer.addToken('<my-cat>'); // a new id, matched whole in prompts
  const prompt = tokenizer.encode('a watercolor painting of a fox in the snow');
  // prompt.ids: Int32Array(77) = <|startoftext|>, the tokens, <|endoftext|>, then padding

  // One session per model, created once and reused.
  const textEncoder = await TextEncoder.create(path.join(modelDir, 'text_encoder', 'model.onnx'));
  const vae = await VaeDecoder.create(path.join(modelDir, 'vae_decoder'));
  try {
    const hidden = await textEncoder.encode([prompt.ids]); // [1, 77, hiddenSize] float32

    // Latents as a UNet hands them over (here plain noise): [1, 4, 8, 8] → a 64 × 64 image.
    const latents = new Tensor('float32', new Rng(42).fillNormal(new Float32Array(4 * 8 * 8)), [1, 4, 8, 8]);
    const image = imageFromTensor(await vae.decode(latents)); // 8-bit RGB
    await writePng(outFile, image); // atomic: temporary file, then rename

    // A preview without running the VAE: one RGB pixel per latent pixel (8 × 8).
    const preview = LinearLatentPreview.SD1.preview(latents.data, 4, 8, 8);
    return { prompt, conceptId, hidden, image, preview };
  } finally {
    await textEncoder.release();
    await vae.release();
  }
}
