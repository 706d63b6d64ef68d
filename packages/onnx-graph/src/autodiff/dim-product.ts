import type { Dim } from '../shape-info.js';

/**
 * A dimension known as a product: a whole number times named sizes (`4·batch`, `height·width`).
 * Shape inference multiplies and divides these for Reshape's `-1` and head splits, which a plain
 * name-or-number cannot express. Names are sorted, so equal products print the same.
 */
export interface DimProduct {
  readonly factor: number;
  readonly names: readonly string[];
}

/** A known product, or null for a size nothing says anything about. */
export type SymDim = DimProduct | null;

export const ONE: DimProduct = { factor: 1, names: [] };

export function fixedDim(n: number): DimProduct {
  return { factor: n, names: [] };
}

/** A recorded dim read as a product: a number, a dim_param name, or null. */
export function fromDim(d: Dim): SymDim {
  if (d === null) return null;
  return typeof d === 'number' ? fixedDim(d) : { factor: 1, names: [d] };
}

/** The product written back as a Dim: a number, a name, or a canonical `k*a*b` string. */
export function toDim(d: SymDim): Dim {
  if (d === null) return null;
  if (d.names.length === 0) return d.factor;
  if (d.factor === 1 && d.names.length === 1) return d.names[0]!;
  return [...(d.factor === 1 ? [] : [String(d.factor)]), ...d.names].join('*');
}

/** The fixed size, or undefined when the dim is symbolic or unknown. */
export function fixedValue(d: SymDim): number | undefined {
  return d !== null && d.names.length === 0 ? d.factor : undefined;
}

/** Whether two products name the same sizes (their whole factors may differ). */
export function sameNames(a: DimProduct, b: DimProduct): boolean {
  return a.names.length === b.names.length && a.names.every((n, i) => n === b.names[i]);
}

export function sameDim(a: SymDim, b: SymDim): boolean {
  return a !== null && b !== null && a.factor === b.factor && sameNames(a, b);
}

export function multiply(a: SymDim, b: SymDim): SymDim {
  if (a === null || b === null) return null;
  return { factor: a.factor * b.factor, names: [...a.names, ...b.names].sort() };
}

/** a / b when it divides exactly (whole factor, b's names all in a), else null. */
export function divide(a: SymDim, b: SymDim): SymDim {
  if (a === null || b === null || b.factor === 0 || a.factor % b.factor !== 0) return null;
  const names = [...a.names];
  for (const name of b.names) {
    const at = names.indexOf(name);
    if (at < 0) return null;
    names.splice(at, 1);
  }
  return { factor: a.factor / b.factor, names };
}

/** The size an opaque expression of known sizes has: a new name, the same for the same expression. */
export function opaqueDim(expression: string): DimProduct {
  return { factor: 1, names: [`(${expression})`] };
}

/** min(d, n): the length of `[0, d)` cut from an axis of fixed size n (CLIP's position ids). */
export function clampedDim(d: DimProduct, n: number): DimProduct {
  return opaqueDim(`min ${toDim(d)} ${n}`);
}

/** Whether `a` is min(b, n) for some n. */
function isClampOf(a: SymDim, b: SymDim): boolean {
  return a !== null && b !== null && a.factor === 1 && a.names.length === 1 && a.names[0]!.startsWith(`(min ${toDim(b)} `);
}

/**
 * The dim two broadcast operands give, where it is sure: equal dims, a 1 on either side, or a
 * fixed size above 1 against a symbolic or unknown one (which must then be 1 or that size). Also
 * d against min(d, n): equal when d ≤ n, and when d > n they only broadcast if n is 1, giving d.
 */
export function broadcastDim(a: SymDim | undefined, b: SymDim | undefined): SymDim {
  if (a === undefined) return b ?? null;
  if (b === undefined) return a;
  if (isClampOf(a, b)) return b;
  if (isClampOf(b, a)) return a;
  const fa = fixedValue(a);
  const fb = fixedValue(b);
  if (fa === 1) return b;
  if (fb === 1) return a;
  if (sameDim(a, b)) return a;
  if (fa !== undefined && fb === undefined) return a;
  if (fb !== undefined && fa === undefined) return b;
  return null;
}
