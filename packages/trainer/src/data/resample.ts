/**
 * Resampling of interleaved sample planes (RGB bytes, mask values) by separable filters whose
 * weights are integers over a common divisor, so that 8-bit input gives exact results: no
 * floating-point drift, the same bytes on every machine, and an honest round-half-up at the end.
 *
 * Shrinking averages areas (a box filter over the exact footprint of each output pixel, partial
 * pixels weighted by their covered fraction, like OpenCV's INTER_AREA); enlarging interpolates
 * linearly between pixel centres (PyTorch's `interpolate(mode='bilinear', align_corners=False)`).
 */

/** A `width` × `height` window of a plane, starting at column `left`, row `top`. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Interleaved samples: `channels` values per pixel, rows top to bottom, `width` pixels a row. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: ArrayLike<number>;
}

/** For each output index along one axis: the first input index, its integer weights, over `divisor`. */
interface Taps {
  readonly first: Int32Array;
  readonly weights: readonly Float64Array[];
  readonly divisor: number;
}

/**
 * The `region` of `plane` resampled to `outWidth` × `outHeight`, interleaved like the input,
 * values in the input's units (not rounded).
 */
export function resampleRegion(plane: Plane, region: Region, outWidth: number, outHeight: number): Float64Array {
  const { channels } = plane;
  const across = taps(region.width, outWidth);
  const down = taps(region.height, outHeight);
  // Pass 1: every row of the region shrunk or stretched horizontally (sums, not yet divided).
  const rows = new Float64Array(region.height * outWidth * channels);
  for (let y = 0; y < region.height; y++) {
    const rowStart = ((region.top + y) * plane.width + region.left) * channels;
    for (let x = 0; x < outWidth; x++) {
      const weights = across.weights[x]!;
      const from = rowStart + across.first[x]! * channels;
      const to = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k]! * plane.data[from + k * channels + c]!;
        rows[to + c] = sum;
      }
    }
  }
  // Pass 2: the columns of pass 1 vertically, then one division by both divisors.
  const divisor = across.divisor * down.divisor;
  const out = new Float64Array(outWidth * outHeight * channels);
  const stride = outWidth * channels;
  for (let y = 0; y < outHeight; y++) {
    const weights = down.weights[y]!;
    const from = down.first[y]! * stride;
    for (let i = 0; i < stride; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * rows[from + k * stride + i]!;
      out[y * stride + i] = sum / divisor;
    }
  }
  return out;
}

function taps(inSize: number, outSize: number): Taps {
  return outSize <= inSize ? areaTaps(inSize, outSize) : linearTaps(inSize, outSize);
}

/**
 * Output pixel i covers input [i·n/m, (i+1)·n/m). Measured in 1/m of an input pixel, that is
 * [i·n, (i+1)·n) and input pixel j is [j·m, (j+1)·m): the overlaps are integers summing to n.
 */
function areaTaps(n: number, m: number): Taps {
  const first = new Int32Array(m);
  const weights: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const start = i * n;
    const end = start + n;
    const j0 = Math.floor(start / m);
    const j1 = Math.ceil(end / m); // exclusive
    const w = new Float64Array(j1 - j0);
    for (let j = j0; j < j1; j++) w[j - j0] = Math.min(end, (j + 1) * m) - Math.max(start, j * m);
    first[i] = j0;
    weights.push(w);
  }
  return { first, weights, divisor: n };
}

/**
 * Output centre i + ½ maps to input x = (i + ½)·n/m − ½, clamped to [0, n − 1]. Measured in
 * 1/(2m) of an input pixel, X = (2i + 1)·n − m is an integer, and so are the two weights.
 */
function linearTaps(n: number, m: number): Taps {
  const unit = 2 * m;
  const first = new Int32Array(m);
  const weights: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const x = Math.min(Math.max((2 * i + 1) * n - m, 0), (n - 1) * unit);
    const j0 = Math.floor(x / unit);
    const right = x - j0 * unit;
    first[i] = j0;
    weights.push(right === 0 ? Float64Array.of(unit) : Float64Array.of(unit - right, right));
  }
  return { first, weights, divisor: unit };
}
