/**
 * Adds the gradient that reaches the text encodings e through the coefficient matrix to their
 * direct gradient. For one concept the coefficients of a token are S = e·u and G = σ((S − β)/τ)
 * (u = C⁻¹ i* / (i*ᵀ C⁻¹ i*), with i* held fixed during a step), so
 *     ∂L/∂e += (∂L/∂S + ∂L/∂G · G(1 − G)/τ) · u.
 * `hiddenGradient` is [rows·tokens, d] (updated in place), `coefficientGradient` and
 * `coefficients` are [rows·tokens, 2] ([S | G]).
 */
export function addGateGradient(
  hiddenGradient: Float32Array,
  coefficientGradient: ArrayLike<number>,
  coefficients: ArrayLike<number>,
  simVector: ArrayLike<number>,
  tau: number,
): void {
  const d = simVector.length;
  const tokens = hiddenGradient.length / d;
  for (let r = 0; r < tokens; r++) {
    const g = coefficients[2 * r + 1]!;
    const scale = coefficientGradient[2 * r]! + (coefficientGradient[2 * r + 1]! * g * (1 - g)) / tau;
    if (scale === 0) continue;
    const offset = r * d;
    for (let i = 0; i < d; i++) hiddenGradient[offset + i] += scale * simVector[i]!;
  }
}
