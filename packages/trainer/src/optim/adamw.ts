/** Hyper-parameters of {@link AdamW} shared by every parameter group. */
export interface AdamWSettings {
  /** Decay of the first-moment average (torch default 0.9). */
  readonly beta1: number;
  /** Decay of the second-moment average (torch default 0.999). */
  readonly beta2: number;
  /** Added to √v̂ (torch default 1e-8). */
  readonly epsilon: number;
}

export const ADAMW_DEFAULTS: AdamWSettings = Object.freeze({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

/** One trainable vector with its own learning rate and weight decay. */
export interface ParameterGroup {
  readonly name: string;
  /** Updated in place. */
  readonly values: Float32Array;
  readonly learningRate: number;
  /** Decoupled weight decay λ: values shrink by lr·λ each step (torch's AdamW default 0.01). */
  readonly weightDecay: number;
}

/** Adam's moments of one group, float64 so that a resumed run continues bit for bit. */
export interface AdamMoments {
  readonly m: Float64Array;
  readonly v: Float64Array;
}

/**
 * AdamW (Loshchilov & Hutter): Adam with bias correction and weight decay applied to the
 * parameters directly rather than through the gradient, as torch.optim.AdamW computes it:
 *   θ ← θ − lr·λ·θ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − lr · m̂ / (√v̂ + ε)
 * with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). State is the step count and each group's moments.
 */
export class AdamW {
  private readonly moments: AdamMoments[];

  constructor(
    readonly groups: readonly ParameterGroup[],
    readonly settings: AdamWSettings = ADAMW_DEFAULTS,
    /** Updates taken so far (t of the bias correction). */
    private steps = 0,
    moments?: readonly AdamMoments[],
  ) {
    this.moments = groups.map((group, i) => {
      const given = moments?.[i];
      if (given !== undefined && (given.m.length !== group.values.length || given.v.length !== group.values.length)) {
        throw new RangeError(`AdamW: the moments given for '${group.name}' hold ${given.m.length} values, the parameter ${group.values.length}.`);
      }
      return given ?? { m: new Float64Array(group.values.length), v: new Float64Array(group.values.length) };
    });
  }

  get stepCount(): number {
    return this.steps;
  }

  /** The moments of every group (live views: copy before keeping them). */
  get state(): readonly AdamMoments[] {
    return this.moments;
  }

  /** One update of every group with its gradient (`gradients[i]` for `groups[i]`, same length). */
  step(gradients: readonly ArrayLike<number>[]): void {
    const { beta1, beta2, epsilon } = this.settings;
    this.steps += 1;
    const correction1 = 1 - beta1 ** this.steps;
    const correction2 = 1 - beta2 ** this.steps;
    this.groups.forEach((group, i) => {
      const g = gradients[i]!;
      if (g.length !== group.values.length) {
        throw new RangeError(`AdamW.step: the gradient of '${group.name}' has ${g.length} values, the parameter ${group.values.length}.`);
      }
      const { m, v } = this.moments[i]!;
      const lr = group.learningRate;
      const decay = 1 - lr * group.weightDecay;
      const values = group.values;
      for (let j = 0; j < values.length; j++) {
        const gj = g[j]!;
        m[j] = beta1 * m[j]! + (1 - beta1) * gj;
        v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj;
        const update = m[j]! / correction1 / (Math.sqrt(v[j]! / correction2) + epsilon);
        values[j] = values[j]! * decay - lr * update;
      }
    });
  }
}
