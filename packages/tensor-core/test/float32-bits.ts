/**
 * The float32 bit patterns of `values` as hex strings, for bit-for-bit comparisons whose failures
 * still show which element differs (and which distinguish -0 from +0).
 */
export function float32Bits(values: ArrayLike<number>): string[] {
  const bits = new Uint32Array(Float32Array.from(values).buffer);
  return Array.from(bits, (word) => word.toString(16).padStart(8, '0'));
}

/** The sum of `values` accumulated in order in float64, as the golden scripts compute it. */
export function sumInOrder(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
