import * as fs from 'node:fs';
import type { InferenceSession } from 'onnxruntime-node';
import { isDType, type DType } from '@perfusion/tensor-core';
import { readModel } from '../model-file.js';
import { valueDType, valueShape } from '../shape-info.js';
import type { ValueInfoProto } from '../gen/onnx_pb.js';
import { SessionCreateError } from './errors.js';

/** Model files larger than this are not read to complete onnxruntime's metadata (256 MiB). */
const GRAPH_READ_LIMIT = 256 * 1024 * 1024;

/** One dimension of a session value: a size, a symbolic name, or `null` when the model leaves it open. */
export type SessionDim = number | string | null;

/** What a session says about one of its inputs. */
export interface SessionInputInfo {
  readonly name: string;
  readonly dtype: DType;
  /**
   * Declared dims. `[]` is a scalar when {@link rankKnown}, otherwise the model declares no shape
   * at all and any rank is accepted.
   */
  readonly shape: readonly SessionDim[];
  /** False when the model declares no shape for this value (its rank is unchecked). */
  readonly rankKnown: boolean;
}

/** What a session says about one of its outputs (same fields as an input). */
export type SessionOutputInfo = SessionInputInfo;

/** The session's own view: `inputMetadata` / `outputMetadata` of onnxruntime-node ≥ 1.20. */
interface SessionWithMetadata {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata?: readonly InferenceSession.ValueMetadata[];
}

/**
 * Input and output descriptions of a session. They come from onnxruntime's `inputMetadata` /
 * `outputMetadata`; the model file is read with this package's codec only where onnxruntime
 * cannot tell: metadata missing (older onnxruntime), a non-tensor or unknown element type, or an
 * empty shape, which onnxruntime reports both for scalars and for values without a shape. Files
 * over 256 MiB are not read for an empty shape (decoding would load their inline weights): such
 * a value is reported with `rankKnown: false`.
 */
export async function describeSessionValues(
  session: SessionWithMetadata,
  modelPath: string,
): Promise<{ inputs: SessionInputInfo[]; outputs: SessionOutputInfo[] }> {
  let graph: Map<string, ValueInfoProto> | null | undefined;
  const fromGraph = async (name: string): Promise<ValueInfoProto | null | undefined> => {
    if (graph === undefined) {
      // Reading a model decodes all of its inline weights; above this size that costs more memory
      // than a rank check is worth, so such values are left unchecked instead.
      const size = (await fs.promises.stat(modelPath)).size;
      if (size > GRAPH_READ_LIMIT) {
        graph = null;
      } else {
        const g = (await readModel(modelPath)).graph!;
        graph = new Map([...g.input, ...g.output].map((v) => [v.name, v]));
      }
    }
    return graph === null ? null : graph.get(name);
  };

  const describe = async (
    names: readonly string[],
    metadata: readonly InferenceSession.ValueMetadata[] | undefined,
    kind: 'input' | 'output',
  ): Promise<SessionInputInfo[]> => {
    const out: SessionInputInfo[] = [];
    for (const [index, name] of names.entries()) {
      const meta = metadata?.find((m) => m.name === name) ?? metadata?.[index];
      if (meta !== undefined && meta.name === name && meta.isTensor && isDType(meta.type) && meta.shape.length > 0) {
        out.push({ name, dtype: meta.type, shape: meta.shape.map(sessionDim), rankKnown: true });
        continue;
      }
      const proto = await fromGraph(name);
      if (proto === null && meta !== undefined && meta.name === name && meta.isTensor && isDType(meta.type)) {
        // A large model with an empty reported shape: scalar or no declared shape, unknown here.
        out.push({ name, dtype: meta.type, shape: [], rankKnown: false });
        continue;
      }
      if (proto === undefined || proto === null) {
        if (kind === 'output') continue; // see below: only a problem if asked for
        const why = proto === null ? 'and the model is too large to read its graph for one' : "and the model's graph does not declare one either";
        throw new SessionCreateError(modelPath, `onnxruntime gives no tensor type this package supports for input '${name}', ${why}.`);
      }
      let dtype: DType;
      try {
        dtype = valueDType(proto);
      } catch (cause) {
        // An output of a type tensor-core cannot hold is only a problem if someone asks for it
        // (fromOrtTensor then says so); an input like that could never be fed.
        if (kind === 'output') continue;
        throw new SessionCreateError(modelPath, `value '${name}' has a type this package does not support: ${(cause as Error).message}`, { cause });
      }
      const shape = valueShape(proto);
      out.push({ name, dtype, shape: shape ?? [], rankKnown: shape !== undefined });
    }
    return out;
  };

  return {
    inputs: await describe(session.inputNames, session.inputMetadata, 'input'),
    outputs: await describe(session.outputNames, session.outputMetadata, 'output'),
  };
}

/** onnxruntime reports an open dimension as `''` (or a negative size); both become `null`. */
function sessionDim(dim: number | string): SessionDim {
  if (typeof dim === 'number') return dim >= 0 ? dim : null;
  return dim === '' ? null : dim;
}

/** `float32[batch, 77, ?]`-style text of a value description. */
export function formatValueInfo(info: SessionInputInfo): string {
  if (!info.rankKnown) return `${info.name}: ${info.dtype}[any shape]`;
  return `${info.name}: ${info.dtype}[${info.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
