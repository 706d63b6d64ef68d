/** A one-channel map (row-major, `width` × `height`) blurred by a Gaussian of `sigma` pixels, edges clamped. */
export function gaussianBlur(map: ArrayLike<number>, width: number, height: number, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((w) => w / total);
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));
  const rows = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += weights[k + radius]! * map[y * width + clamp(x + k, width)]!;
      rows[y * width + x] = sum;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += weights[k + radius]! * rows[clamp(y + k, height) * width + x]!;
      out[y * width + x] = sum;
    }
  }
  return out;
}
