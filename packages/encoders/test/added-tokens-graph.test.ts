import * as path from 'node:path';
import { GraphBuilder, readModel, writeModelSync, type ModelProto } from '@perfusion/onnx-graph';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import {
  extendTokenEmbedding,
  findTokenEmbedding,
  ModelInterfaceError,
  TextEncoder,
  TokenEmbeddingAlreadyExtendedError,
  TokenEmbeddingNotFoundError,
} from '../src/index.js';
import { tempDir, tinyModel } from './helpers/fixture.js';
import { ort } from './helpers/ort.js';

const VOCAB = 10;
const WIDTH = 3;
const TABLE = new Rng(11).fillNormal(new Float32Array(VOCAB * WIDTH));
const GATHER = '/text_model/embeddings/token_embedding/Gather';

/**
 * A stand-in text encoder shaped like a torch export: int32 `input_ids` → Reshape → Cast(int64) →
 * the token embedding Gather, whose output is `last_hidden_state` itself (so the extension must
 * keep a graph output's name).
 */
function lookupModel(): ModelProto {
  const b = new GraphBuilder({ name: 'text_encoder' });
  const ids = b.input('input_ids', 'int32', ['batch', 'sequence']);
  const hidden = b.scope('text_model', () => {
    const flat = b.reshape(ids, [-1, 4]);
    const ids64 = b.cast(flat, 'int64');
    return b.scope('embeddings', () =>
      b.scope('token_embedding', () => b.gather(b.initializer('text_model.embeddings.token_embedding.weight', new Tensor('float32', TABLE, [VOCAB, WIDTH])), ids64)),
    );
  });
  b.output(hidden, 'last_hidden_state', 'float32', ['batch', 'sequence', WIDTH]);
  return b.build();
}

async function run(model: ModelProto, ids: number[], extra: Float32Array): Promise<Float32Array> {
  const file = path.join(tempDir(), 'model.onnx');
  writeModelSync(model, file);
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({
      input_ids: new ort.Tensor('int32', Int32Array.from(ids), [1, ids.length]),
      perfusion_token_embeddings: new ort.Tensor('float32', extra, [extra.length / WIDTH, WIDTH]),
    });
    return out.last_hidden_state!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const row = (table: Float32Array, i: number) => [...table.subarray(i * WIDTH, (i + 1) * WIDTH)];

describe('extendTokenEmbedding', () => {
  it('finds the lookup through Reshape and Cast, and makes ids from vocabSize on read the extra rows', async () => {
    const model = lookupModel();
    const site = findTokenEmbedding(model.graph!, 'lookup.onnx');
    expect([site.gather.name, site.table.name, site.vocabSize, site.dim, site.dtype, site.idsPath]).toEqual([
      GATHER,
      'text_model.embeddings.token_embedding.weight',
      VOCAB,
      WIDTH,
      'float32',
      ['Reshape', 'Cast'],
    ]);
    const { graph } = extendTokenEmbedding(model, 'lookup.onnx');
    expect(graph.input.map((i) => i.name)).toEqual(['input_ids', 'perfusion_token_embeddings']);
    const names = graph.node.map((n) => n.name);
    expect(names).toContain('/text_model/embeddings/token_embedding/perfusion/Less');
    expect(names).toContain(GATHER); // the original lookup keeps its name
    expect(graph.node.find((n) => n.name === GATHER)!.output).toEqual(['last_hidden_state/perfusion_base']);
    expect(graph.output.map((o) => o.name)).toEqual(['last_hidden_state']);

    const extra = Float32Array.from([100, 101, 102, 200, 201, 202]);
    const out = await run({ ...model, graph }, [0, 9, 10, 11, -1, 3, 11, 10], extra);
    const expected = [...row(TABLE, 0), ...row(TABLE, 9), 100, 101, 102, 200, 201, 202, ...row(TABLE, VOCAB - 1), ...row(TABLE, 3), 200, 201, 202, 100, 101, 102];
    expect([...out]).toEqual(expected);
    // No extra rows: the table alone, as before (negative ids count from the end, as ONNX's Gather does).
    expect([...(await run({ ...model, graph }, [4, 0, 9, -2], new Float32Array(0)))]).toEqual([...row(TABLE, 4), ...row(TABLE, 0), ...row(TABLE, 9), ...row(TABLE, 8)]);
  });

  it('writes Unsqueeze with an axes attribute for opsets before 13', async () => {
    const model = lookupModel();
    model.opsetImport[0]!.version = 12n;
    for (const node of model.graph!.node) node.attribute = node.attribute.filter((a) => a.name !== 'allowzero'); // Reshape's opset-14 attribute
    const { graph } = extendTokenEmbedding(model, 'lookup.onnx');
    const unsqueeze = graph.node.find((n) => n.name === '/text_model/embeddings/token_embedding/perfusion/Unsqueeze')!;
    expect(unsqueeze.input).toHaveLength(1);
    expect(unsqueeze.attribute.map((a) => [a.name, a.ints])).toEqual([['axes', [-1n]]]);
    expect([...(await run({ ...model, graph }, [1, 10, 2, 3], Float32Array.from([7, 8, 9])))]).toEqual([...row(TABLE, 1), 7, 8, 9, ...row(TABLE, 2), ...row(TABLE, 3)]);
  });

  it('finds the tiny fixture’s token embedding (input_ids straight into the Gather)', async () => {
    const model = await readModel(path.join(await tinyModel('float16'), 'text_encoder', 'model.onnx'));
    const site = findTokenEmbedding(model.graph!, 'tiny');
    expect([site.gather.name, site.table.name, site.vocabSize, site.dim, site.dtype, site.idsPath]).toEqual([GATHER, 'text_model.embeddings.token_embedding.weight', 1280, 32, 'float16', []]);
  });

  it('says why when there is no token embedding to extend', async () => {
    const vae = await readModel(path.join(await tinyModel(), 'vae_decoder', 'model.onnx'));
    expect(() => findTokenEmbedding(vae.graph!, 'vae.onnx')).toThrow(TokenEmbeddingNotFoundError);
    expect(() => findTokenEmbedding(vae.graph!, 'vae.onnx')).toThrow(/^vae\.onnx: cannot find the token embedding to extend for added tokens: the graph has no input 'input_ids' \(inputs: 'latent_sample'\)\. Expected one Gather/);

    const cases: [string, (b: GraphBuilder, ids: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['input']>, RegExp][] = [
      ['computed table', (b, ids) => b.gather(b.mul(b.parameter('table', [VOCAB, WIDTH], TABLE), 2), ids), /'\/Gather' reads its table from '\/Mul_output_0', which is not an initializer \(produced by Mul\)/],
      ['no Gather', (b, ids) => b.cast(b.argMax(ids, -1), 'float32'), /no Gather reads 'input_ids' \(its readers: ArgMax '\/ArgMax'\)/],
      ['axis 1', (b, ids) => b.gather(b.parameter('table', [VOCAB, WIDTH], TABLE), ids, 1), /'\/Gather' gathers along axis 1/],
      ['rank 3', (b, ids) => b.gather(b.parameter('table', [VOCAB, WIDTH, 1], TABLE), ids), /'\/Gather' reads 'table' of shape \[10, 3, 1\], not \[vocab, d_emb\]/],
      [
        'two tables',
        (b, ids) => b.add(b.gather(b.parameter('a', [VOCAB, WIDTH], TABLE), ids), b.gather(b.parameter('b', [VOCAB, WIDTH], TABLE), ids)),
        /2 Gathers look up 'input_ids' in a \[vocab, d_emb\] table \('\/Gather' on 'a', '\/Gather_1' on 'b'\) and none is singled out by the name 'token_embedding'/,
      ],
    ];
    for (const [label, body, message] of cases) {
      const b = new GraphBuilder({ name: label });
      const ids = b.input('input_ids', 'int64', ['batch', 'sequence']);
      b.output(body(b, ids), 'last_hidden_state');
      const graph = b.build().graph!;
      const error = (() => {
        try {
          findTokenEmbedding(graph, `${label}.onnx`);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, label).toBeInstanceOf(TokenEmbeddingNotFoundError);
      expect(error, label).toBeInstanceOf(ModelInterfaceError);
      expect((error as Error).message, label).toMatch(message);
      expect((error as Error).message, label).toContain(`${label}.onnx: `);
    }
  });

  it('refuses a graph it already extended', () => {
    const model = lookupModel();
    const { graph } = extendTokenEmbedding(model, 'lookup.onnx');
    expect(() => extendTokenEmbedding({ ...model, graph }, 'lookup.onnx')).toThrow(TokenEmbeddingAlreadyExtendedError);
  });
});

describe('TextEncoder with addedTokens on an int64-id model without config.json', () => {
  it('takes the vocabulary size and width from the table', async () => {
    const b = new GraphBuilder({ name: 'text_encoder' });
    const ids = b.input('input_ids', 'int64', ['batch', 'sequence']);
    const hidden = b.scope('token_embedding', () => b.gather(b.parameter('token_embedding.weight', [VOCAB, WIDTH], TABLE), ids));
    b.output(b.mul(hidden, 2), 'last_hidden_state', 'float32', ['batch', 'sequence', WIDTH]);
    const file = path.join(tempDir(), 'text_encoder', 'model.onnx');
    writeModelSync(b.build(), file);
    const encoder = await TextEncoder.create(file, { addedTokens: true });
    try {
      expect([encoder.idsDType, encoder.vocabSize, encoder.tokenEmbeddingDim, encoder.maxLength]).toEqual(['int64', VOCAB, WIDTH, undefined]);
      const out = await encoder.encode([Int32Array.from([2, 10, 11])], { extraEmbeddings: Float32Array.from([1, 2, 3, 4, 5, 6]) });
      expect([...out.data]).toEqual([...row(TABLE, 2).map((v) => v * 2), 2, 4, 6, 8, 10, 12]);
      expect([...(await encoder.readTokenEmbedding([9, 0]))]).toEqual([...row(TABLE, 9), ...row(TABLE, 0)]);
    } finally {
      await encoder.release();
    }
  });
});
