import { addGraphInput, copyGraph, copyNode, GraphBuilder, GraphIndex, validateGraph, type GraphProto, type ModelProto } from '@perfusion/onnx-graph';
import { TokenEmbeddingNotFoundError } from './errors.js';
import { findTokenEmbedding, type TokenEmbeddingSite } from './find-token-embedding.js';
import { EXTRA_TOKENS_DIM, PERFUSION_TOKEN_EMBEDDINGS_INPUT } from './input-names.js';

/**
 * Extends a text encoder's token embedding in the graph: the model gets a new input
 * `perfusion_token_embeddings` `[perfusion_extra_tokens, d_emb]` (the table's float type), and
 * token id `vocabSize + k` looks up its row `k`. Ids below `vocabSize` (and negative ids, as
 * ONNX's Gather reads them) look up the table as before, bit for bit; with zero extra rows the
 * model computes exactly what the original computes. The table itself is untouched.
 *
 * The lookup `Gather(table, ids)` becomes
 *
 *     ids64     = Cast(ids, int64)
 *     isBase    = ids64 < vocabSize
 *     baseRows  = Gather(table, Where(isBase, ids64, 0))            (the original node)
 *     extraRows = Gather(Concat(extra, zeros[1, d_emb]), Where(isBase, −1, ids64 − vocabSize))
 *     embedding = Where(Unsqueeze(isBase, −1), baseRows, extraRows)  (the original output name)
 *
 * rather than a Gather from `Concat(table, extra)`: that Concat would copy the whole table
 * (152 MB for SD 1.5 in fp32) on every run, and its gradient would be table-sized; here only
 * `[batch, sequence, d_emb]` values and the extra rows are touched. The zero row appended to the
 * extra rows gives base ids a valid index (−1) into them, also when there are no extra rows.
 *
 * New nodes are named `<scope of the Gather>/perfusion/<Op>`.
 * @returns the extended graph and the site found (see {@link findTokenEmbedding} for the errors).
 */
export function extendTokenEmbedding(model: ModelProto, modelPath: string): { graph: GraphProto; site: TokenEmbeddingSite } {
  const graph = model.graph;
  if (graph === undefined) throw new TokenEmbeddingNotFoundError(modelPath, 'the model has no graph');
  const site = findTokenEmbedding(graph, modelPath);
  const { gather, vocabSize, dim, dtype } = site;
  const data = gather.input[0]!;
  const ids = gather.input[1]!;
  const output = gather.output[0]!;
  const opset = defaultOpset(model);

  // The inserted nodes are written with the project's graph builder, whose inputs stand for the
  // values of the host graph they read (the ids, the extra rows, the original Gather's rows).
  const b = new GraphBuilder({ name: 'perfusion_token_embeddings', dtype });
  const baseRowsName = `${output}/perfusion_base`;
  const [idsValue, extra, baseRows] = [
    b.input(ids, 'int64', []),
    b.input(PERFUSION_TOKEN_EMBEDDINGS_INPUT, dtype, [EXTRA_TOKENS_DIM, dim]),
    b.input(baseRowsName, dtype, []),
  ];
  const { baseIds, last } = inScopes(b, scopePath(gather.name), () => {
    const ids64 = b.cast(idsValue, 'int64');
    const vocab = b.constant(BigInt(vocabSize));
    const isBase = b.op('Less', [ids64, vocab])[0]!;
    const baseIds = b.where(isBase, ids64, b.constant(0n));
    const extraIds = b.where(isBase, b.constant(-1n), b.sub(ids64, vocab));
    const padded = b.concat([extra, b.constant(new Float32Array(dim), [1, dim], dtype)], 0);
    const extraRows = b.gather(padded, extraIds, 0);
    // Unsqueeze takes its axes as an input from opset 13, as an attribute before.
    const keep = opset >= 13 ? b.unsqueeze(isBase, [-1]) : b.op('Unsqueeze', [isBase], { axes: [-1] })[0]!;
    return { baseIds, last: b.where(keep, baseRows, extraRows) };
  });
  b.output(last, output, dtype);
  const added = b.build().graph!.node;

  const index = new GraphIndex(graph);
  const clash = added.flatMap((n) => [...n.output]).find((name) => name !== output && index.isDefined(name));
  if (clash !== undefined || index.isDefined(baseRowsName)) {
    throw new TokenEmbeddingNotFoundError(modelPath, `the graph already defines '${clash ?? baseRowsName}', a name the extension needs`);
  }
  const position = index.position(gather);
  const node = [
    ...graph.node.slice(0, position),
    ...added.slice(0, -1),
    copyNode(gather, { input: [data, baseIds.name], output: [baseRowsName] }),
    added[added.length - 1]!,
    ...graph.node.slice(position + 1),
  ];
  const extended = addGraphInput(copyGraph(graph, { node }), PERFUSION_TOKEN_EMBEDDINGS_INPUT, dtype, [EXTRA_TOKENS_DIM, dim]);
  validateGraph(extended);
  return { graph: extended, site };
}

/** The model's default-domain opset (17 when it declares none). */
function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry === undefined ? 17 : Number(entry.version);
}

/** `/text_model/embeddings/token_embedding/Gather` → `['text_model', 'embeddings', 'token_embedding', 'perfusion']`. */
function scopePath(gatherName: string): string[] {
  const parts = gatherName.split('/').filter((p) => p !== '');
  return parts.length > 1 ? [...parts.slice(0, -1), 'perfusion'] : ['token_embedding', 'perfusion'];
}

function inScopes<T>(b: GraphBuilder, scopes: readonly string[], fn: () => T): T {
  if (scopes.length === 0) return fn();
  return b.scope(scopes[0]!, () => inScopes(b, scopes.slice(1), fn));
}
