/**
 * Named, reusable typed arrays for the feeds and outputs of one UNet. A slot keeps its array while
 * the requested length stays the same (one generation runs every step at the same shape), so a
 * denoising loop allocates its batch buffers once; a new length replaces the slot's array.
 *
 * Arrays handed out are overwritten by the next request for the same slot: use them only within
 * one `predictNoise` call (the UNet runs its calls one at a time).
 */
export class ScratchBuffers {
  private readonly float32Slots = new Map<string, Float32Array>();
  private readonly float16Slots = new Map<string, Uint16Array>();

  float32(slot: string, length: number): Float32Array {
    let buffer = this.float32Slots.get(slot);
    if (buffer === undefined || buffer.length !== length) {
      buffer = new Float32Array(length);
      this.float32Slots.set(slot, buffer);
    }
    return buffer;
  }

  /** float16 bit patterns. */
  float16(slot: string, length: number): Uint16Array {
    let buffer = this.float16Slots.get(slot);
    if (buffer === undefined || buffer.length !== length) {
      buffer = new Uint16Array(length);
      this.float16Slots.set(slot, buffer);
    }
    return buffer;
  }

  /** Drops every array (after `release()`). */
  clear(): void {
    this.float32Slots.clear();
    this.float16Slots.clear();
  }
}
