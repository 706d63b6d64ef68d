import { GraphIndex, onnxDataTypeName, TensorProto_DataType, type GraphProto, type NodeProto, type TensorProto } from '@perfusion/onnx-graph';
import { TokenEmbeddingAlreadyExtendedError, TokenEmbeddingNotFoundError } from './errors.js';
import { PERFUSION_TOKEN_EMBEDDINGS_INPUT } from './input-names.js';

/** The graph input holding the token ids. */
export const INPUT_IDS = 'input_ids';

/** Ops that pass the ids on unchanged in value (only their type or shape changes). */
const ID_PASS_THROUGH = new Set(['Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/** The token embedding lookup of a text encoder graph. */
export interface TokenEmbeddingSite {
  /** The Gather node: `embeddings = Gather(table, ids)`. */
  readonly gather: NodeProto;
  /** The table initializer, `[vocabSize, dim]`. */
  readonly table: TensorProto;
  readonly vocabSize: number;
  /** Width of one token embedding (d_emb; 768 for SD 1.x). */
  readonly dim: number;
  readonly dtype: 'float32' | 'float16';
  /** Op types between `input_ids` and the Gather's indices, in order (e.g. `['Reshape']`). */
  readonly idsPath: readonly string[];
}

/**
 * Finds the token embedding Gather of a CLIP text encoder graph: axis 0, data a rank-2
 * float32/float16 initializer (possibly through Identity nodes), indices the graph input
 * `input_ids` possibly through {@link ID_PASS_THROUGH} ops (torch exports reshape the ids; some
 * exports cast them to int64). When several Gathers qualify, the one whose name mentions
 * `token_embedding` wins.
 * @throws TokenEmbeddingAlreadyExtendedError when the graph already has `perfusion_token_embeddings`.
 * @throws TokenEmbeddingNotFoundError naming what was found when no single Gather qualifies.
 */
export function findTokenEmbedding(graph: GraphProto, modelPath: string): TokenEmbeddingSite {
  const index = new GraphIndex(graph);
  if (index.graphInput(PERFUSION_TOKEN_EMBEDDINGS_INPUT) !== undefined) throw new TokenEmbeddingAlreadyExtendedError(modelPath, PERFUSION_TOKEN_EMBEDDINGS_INPUT);
  if (index.graphInput(INPUT_IDS) === undefined) {
    throw new TokenEmbeddingNotFoundError(modelPath, `the graph has no input '${INPUT_IDS}' (inputs: ${graph.input.map((i) => `'${i.name}'`).join(', ') || 'none'})`);
  }
  const sites: TokenEmbeddingSite[] = [];
  const rejected: string[] = [];
  for (const gather of index.nodesByOpType('Gather')) {
    const idsPath = pathFromIds(index, gather.input[1] ?? '');
    if (idsPath === undefined) continue;
    const label = `'${gather.name || gather.output[0]}'`;
    const axis = gather.attribute.find((a) => a.name === 'axis');
    if (axis !== undefined && axis.i !== 0n && axis.i !== -2n) {
      rejected.push(`${label} gathers along axis ${axis.i}`);
      continue;
    }
    const dataName = throughIdentities(index, gather.input[0] ?? '');
    const table = index.initializer(dataName);
    if (table === undefined) {
      rejected.push(`${label} reads its table from '${dataName}', which is not an initializer (produced by ${index.producer(dataName)?.opType ?? 'nothing'})`);
      continue;
    }
    if (table.dims.length !== 2) {
      rejected.push(`${label} reads '${table.name}' of shape [${table.dims.join(', ')}], not [vocab, d_emb]`);
      continue;
    }
    const dtype = table.dataType === TensorProto_DataType.FLOAT ? 'float32' : table.dataType === TensorProto_DataType.FLOAT16 ? 'float16' : undefined;
    if (dtype === undefined) {
      rejected.push(`${label} reads '${table.name}' of element type ${onnxDataTypeName(table.dataType)} (only FLOAT and FLOAT16 tables are supported)`);
      continue;
    }
    sites.push({ gather, table, vocabSize: Number(table.dims[0]), dim: Number(table.dims[1]), dtype, idsPath });
  }
  if (sites.length === 1) return sites[0]!;
  if (sites.length > 1) {
    const named = sites.filter((s) => /token_embedding/.test(s.gather.name) || /token_embedding/.test(s.table.name));
    if (named.length === 1) return named[0]!;
    throw new TokenEmbeddingNotFoundError(
      modelPath,
      `${sites.length} Gathers look up 'input_ids' in a [vocab, d_emb] table (${sites.map((s) => `'${s.gather.name}' on '${s.table.name}'`).join(', ')}) and none is singled out by the name 'token_embedding'`,
    );
  }
  const readers = index.consumers(INPUT_IDS).map((n) => `${n.opType} '${n.name}'`);
  throw new TokenEmbeddingNotFoundError(
    modelPath,
    rejected.length > 0 ? rejected.join('; ') : `no Gather reads '${INPUT_IDS}' (its readers: ${readers.join(', ') || 'none'})`,
  );
}

/** The op types from `input_ids` to `value`, or undefined when `value` does not come from the ids unchanged. */
function pathFromIds(index: GraphIndex, value: string): string[] | undefined {
  const path: string[] = [];
  let current = value;
  for (let depth = 0; depth < 16; depth++) {
    if (current === INPUT_IDS) return path.reverse();
    const producer = index.producer(current);
    if (producer === undefined || !ID_PASS_THROUGH.has(producer.opType) || producer.domain !== '') return undefined;
    path.push(producer.opType);
    current = producer.input[0] ?? '';
  }
  return undefined;
}

function throughIdentities(index: GraphIndex, value: string): string {
  let current = value;
  for (let producer = index.producer(current); producer?.opType === 'Identity'; producer = index.producer(current)) current = producer.input[0] ?? '';
  return current;
}
