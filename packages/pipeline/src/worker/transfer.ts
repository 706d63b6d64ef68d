import type { RgbImage } from '@perfusion/encoders';
import type { GenerationEvent } from '../events.js';

/**
 * The event to post and the buffers to transfer with it. Image and latent buffers are moved, not
 * copied, when an array spans its whole (non-shared) buffer; an array that views part of a larger
 * buffer is copied first (posting the view would clone the whole buffer).
 */
export function transferableEvent(event: GenerationEvent): { event: GenerationEvent; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  switch (event.type) {
    case 'start':
    case 'warning':
    case 'preparing':
      return { event, transfer };
    case 'step': {
      let out: GenerationEvent = event;
      if (event.preview !== undefined) out = { ...out, preview: event.preview.map((image) => movableImage(image, transfer)) };
      if (event.latents !== undefined) out = { ...out, latents: movable(event.latents, transfer) };
      return { event: out, transfer };
    }
    case 'done':
      return { event: { ...event, images: event.images.map((image) => movableImage(image, transfer)) }, transfer };
  }
}

function movableImage(image: RgbImage, transfer: ArrayBuffer[]): RgbImage {
  return { width: image.width, height: image.height, data: movable(image.data, transfer) };
}

function movable<A extends Uint8Array | Float32Array>(array: A, transfer: ArrayBuffer[]): A {
  const buffer = array.buffer;
  const whole = buffer instanceof ArrayBuffer && array.byteOffset === 0 && array.byteLength === buffer.byteLength;
  const owned = whole && !transfer.includes(buffer) ? array : (array.slice() as A);
  transfer.push(owned.buffer as ArrayBuffer);
  return owned;
}
