import type { Tensor } from '@perfusion/tensor-core';
import { formatValueInfo, type SessionInputInfo, type SessionOutputInfo } from './value-info.js';

/** `  name: dtype[d0, d1, ...]` for every feed, one per line: the context of every run error. */
export function describeFeeds(feeds: Readonly<Record<string, Tensor>>): string {
  const lines = Object.entries(feeds).map(([name, t]) => {
    const isTensor = t !== null && typeof t === 'object' && 'dtype' in t && 'shape' in t;
    return isTensor ? `  ${name}: ${t.dtype}[${t.shape.join(', ')}]` : `  ${name}: not a Tensor (${describeValue(t)})`;
  });
  return lines.length > 0 ? lines.join('\n') : '  (none)';
}

/** What the session expects, for error messages. */
export function describeExpected(inputs: readonly SessionInputInfo[], outputs?: readonly SessionOutputInfo[], outputNames?: readonly string[]): string {
  const lines = [`The session expects inputs: ${inputs.map(formatValueInfo).join('; ') || '(none)'}.`];
  if (outputNames !== undefined) {
    const known = new Map((outputs ?? []).map((o) => [o.name, o]));
    lines.push(`Its outputs are: ${outputNames.map((n) => (known.has(n) ? formatValueInfo(known.get(n)!) : n)).join('; ')}.`);
  }
  return lines.join('\n');
}

/**
 * Every way `feeds` and `outputNames` do not fit the session: unknown and missing input names,
 * values that are not tensors, dtypes other than declared, ranks other than declared, fixed
 * dimensions of another size, and unknown output names. Empty when they fit.
 */
export function findFeedProblems(
  feeds: Readonly<Record<string, Tensor>>,
  inputs: readonly SessionInputInfo[],
  allOutputNames: readonly string[],
  outputNames?: readonly string[],
): string[] {
  const problems: string[] = [];
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(feeds)) {
    if (!byName.has(name)) problems.push(`'${name}' is not an input of this model`);
  }
  for (const info of inputs) {
    if (!Object.prototype.hasOwnProperty.call(feeds, info.name)) {
      problems.push(`input '${info.name}' (${info.dtype}) is missing`);
      continue;
    }
    const t = feeds[info.name] as unknown;
    if (t === null || typeof t !== 'object' || !('dtype' in t) || !('shape' in t) || !('data' in t)) {
      problems.push(`input '${info.name}' is not a tensor-core Tensor (${describeValue(t)})`);
      continue;
    }
    const tensor = t as Tensor;
    if (tensor.dtype !== info.dtype) {
      problems.push(`input '${info.name}' is ${tensor.dtype} but the model takes ${info.dtype}`);
    }
    if (!info.rankKnown) continue;
    if (tensor.shape.length !== info.shape.length) {
      problems.push(`input '${info.name}' has rank ${tensor.shape.length} [${tensor.shape.join(', ')}] but the model takes rank ${info.shape.length} ${formatValueInfo(info).slice(info.name.length + 2)}`);
      continue;
    }
    info.shape.forEach((dim, axis) => {
      if (typeof dim === 'number' && tensor.shape[axis] !== dim) {
        problems.push(`input '${info.name}' has size ${tensor.shape[axis]} on axis ${axis} [${tensor.shape.join(', ')}] but the model fixes it to ${dim}`);
      }
    });
  }
  for (const name of outputNames ?? []) {
    if (!allOutputNames.includes(name)) problems.push(`'${name}' is not an output of this model`);
  }
  return problems;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
