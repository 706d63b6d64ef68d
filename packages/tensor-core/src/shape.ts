import { InvalidShapeError } from './errors.js';

/**
 * Number of elements a shape describes (1 for the scalar shape `[]`).
 * Throws {@link InvalidShapeError} when a dimension is not a non-negative safe integer or the
 * product is too large to index.
 */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim = shape[i]!;
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new InvalidShapeError(shape, `dimension ${i} is ${dim}; every dimension must be an integer >= 0.`);
    }
    size *= dim;
  }
  if (!Number.isSafeInteger(size)) {
    throw new InvalidShapeError(shape, `it holds ${size} elements, more than can be indexed.`);
  }
  return size;
}

/**
 * The concrete shape a reshape to `requested` gives a tensor of `size` elements: at most one
 * dimension may be -1 and is inferred. Throws {@link InvalidShapeError} when no shape fits.
 */
export function resolveReshape(requested: readonly number[], size: number): number[] {
  const inferredAt: number[] = [];
  let knownProduct = 1;
  for (let i = 0; i < requested.length; i++) {
    const dim = requested[i]!;
    if (dim === -1) {
      inferredAt.push(i);
    } else if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new InvalidShapeError(requested, `dimension ${i} is ${dim}; use integers >= 0 and at most one -1.`);
    } else {
      knownProduct *= dim;
    }
  }
  if (inferredAt.length > 1) {
    throw new InvalidShapeError(requested, `only one dimension may be -1, but dimensions ${inferredAt.join(' and ')} are.`);
  }
  const resolved = [...requested];
  if (inferredAt.length === 1) {
    if (knownProduct === 0 || size % knownProduct !== 0) {
      throw new InvalidShapeError(
        requested,
        `cannot infer the -1 dimension: ${size} elements do not divide into the other dimensions' product ${knownProduct}.`,
      );
    }
    resolved[inferredAt[0]!] = size / knownProduct;
  } else if (knownProduct !== size) {
    throw new InvalidShapeError(requested, `it holds ${knownProduct} elements but the tensor has ${size}.`);
  }
  return resolved;
}
