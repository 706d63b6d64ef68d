import type { OnnxSession, SessionInputInfo } from '@perfusion/onnx-graph';
import { ModelInterfaceError } from '../errors.js';

/**
 * The input called `preferred` (the optimum export's name), or the model's only input when it has
 * exactly one; otherwise a {@link ModelInterfaceError} listing what the model has.
 */
export function pickInput(session: OnnxSession, preferred: string, component: string): SessionInputInfo {
  const named = session.inputs.find((i) => i.name === preferred);
  if (named !== undefined) return named;
  if (session.inputs.length === 1) return session.inputs[0]!;
  throw new ModelInterfaceError(
    `${session.path} is not a ${component}: expected an input '${preferred}', found ${session.inputs.map((i) => `'${i.name}'`).join(', ') || 'none'}.`,
  );
}

/** The output called one of `preferred` (first match), or the only output; else a {@link ModelInterfaceError}. */
export function pickOutput(session: OnnxSession, preferred: readonly string[], component: string): string {
  const named = preferred.find((name) => session.outputNames.includes(name));
  if (named !== undefined) return named;
  if (session.outputNames.length === 1) return session.outputNames[0]!;
  throw new ModelInterfaceError(
    `${session.path} is not a ${component}: expected an output ${preferred.map((n) => `'${n}'`).join(' or ')}, found ${session.outputNames.map((n) => `'${n}'`).join(', ')}.`,
  );
}

/** Throws unless the input is float32 or float16 (the only VAE/UNet input types this package feeds). */
export function floatDType(info: SessionInputInfo, path: string): 'float32' | 'float16' {
  if (info.dtype === 'float32' || info.dtype === 'float16') return info.dtype;
  throw new ModelInterfaceError(`${path}: input '${info.name}' is ${info.dtype}; expected float32 or float16.`);
}
