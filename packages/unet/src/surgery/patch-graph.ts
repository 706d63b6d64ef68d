import {
  addGraphInput,
  copyGraph,
  copyNode,
  GraphIndex,
  insertNodes,
  replaceUses,
  validateGraph,
  valueDType,
  valueShape,
  type Dim,
  type GraphProto,
  type NodeProto,
} from '@perfusion/onnx-graph';
import { HIDDEN_STATES_INPUT, type FloatDType } from '../model-io.js';
import { AlreadyPatchedError, CrossAttentionStructureError } from './errors.js';
import { CONCEPTS_DIM, layerRowInputs, PERFUSION_COEFFS_INPUT, PERFUSION_KEY_STATES_INPUT, PERFUSION_ROWS_PREFIX } from './input-names.js';
import type { CrossAttentionLayer, ProjectionNode } from './layers.js';

/** Options of {@link patchCrossAttention}. */
export interface PatchGraphOptions {
  /**
   * Rewire the K projections to a new input `perfusion_key_states` ([batch, sequence, d], the
   * dtype of `encoder_hidden_states`) instead of `encoder_hidden_states`: Perfusion's "global
   * locking", where keys see the prompt with each concept word replaced by its supercategory.
   */
  readonly separateKeyStates?: boolean;
  /** For error messages. */
  readonly modelPath?: string;
}

/**
 * The graph with every K and V projection `y = e·W` of `layers` replaced by
 * `y + perfusion_coeffs · rows`, where
 *
 * - `perfusion_coeffs` is a new input `[batch, sequence, perfusion_concepts2]` (the batch and
 *   sequence dims of `encoder_hidden_states`; 2M columns `[S | G]` for M concepts), and
 * - each projection gets its own input `perfusion_rows/<key>/k` or `…/v` of shape
 *   `[1, perfusion_concepts2, width]` (the rows `[−(p·W) ; o*]`; the leading 1 keeps the input
 *   out of `predictNoise`'s batch splitting and broadcasts over the batch).
 *
 * The new inputs take the projection weights' element type. With M = 0 (zero-size inputs) the
 * product is an empty sum, all zeros, so one patched graph serves 0…N concepts. Nodes are added
 * right after each projection (`<projection>/perfusion/MatMul`, `…/Add`); the projection's
 * consumers read the sum instead. Weights are untouched.
 *
 * @throws AlreadyPatchedError when the graph already has Perfusion inputs.
 * @throws CrossAttentionStructureError when the projections disagree on their dtype, or two
 *   layers would get the same input name.
 */
export function patchCrossAttention(graph: GraphProto, layers: readonly CrossAttentionLayer[], options: PatchGraphOptions = {}): GraphProto {
  const modelPath = options.modelPath ?? graph.name;
  const index = new GraphIndex(graph);
  const existing = graph.input.find((i) => i.name === PERFUSION_COEFFS_INPUT || i.name === PERFUSION_KEY_STATES_INPUT || i.name.startsWith(PERFUSION_ROWS_PREFIX));
  if (existing !== undefined) throw new AlreadyPatchedError(modelPath, existing.name);
  const dtype = commonDType(layers, modelPath);
  checkDistinctNames(layers, modelPath);

  const hidden = index.graphInput(HIDDEN_STATES_INPUT)!;
  const hiddenShape = valueShape(hidden) ?? [null, null, null];
  const [batch, sequence] = [orName(hiddenShape[0], 'batch'), orName(hiddenShape[1], 'sequence')];
  let patched = addGraphInput(graph, PERFUSION_COEFFS_INPUT, dtype, [batch, sequence, CONCEPTS_DIM]);

  if (options.separateKeyStates === true) {
    const dim = layers[0]?.dim ?? orName(hiddenShape[2], 'dim');
    patched = addGraphInput(patched, PERFUSION_KEY_STATES_INPUT, valueDType(hidden), [batch, sequence, dim]);
    patched = rewireKeys(patched, layers);
  }

  for (const layer of layers) {
    const names = layerRowInputs(layer.key);
    for (const [projection, rows] of [
      [layer.k, names.k],
      [layer.v, names.v],
    ] as const) {
      patched = addGraphInput(patched, rows, dtype, [1, CONCEPTS_DIM, layer.width]);
      patched = addEdit(patched, projection, rows);
    }
  }
  validateGraph(patched);
  return patched;
}

/** Prefix of the nodes and values the patch adds after `projection`. */
function editScope(projection: ProjectionNode): string {
  return `${projection.name || projection.output}/perfusion`;
}

/**
 * The value that holds a projection's edited result `y + coeffs · rows` in the patched graph
 * (`<projection node name>/perfusion/Add_output_0`), e.g. to expose it as an output in a test.
 */
export function editedProjectionOutput(projection: ProjectionNode): string {
  return `${editScope(projection)}/Add_output_0`;
}

/** Splices `y + coeffs · rows` in after the projection that makes `y`. */
function addEdit(graph: GraphProto, projection: ProjectionNode, rows: string): GraphProto {
  const base = editScope(projection);
  const delta = `${base}/MatMul_output_0`;
  const sum = editedProjectionOutput(projection);
  const producer = graph.node.find((n) => n.output[0] === projection.output)!;
  const product = plainNode(producer, `${base}/MatMul`, 'MatMul', [PERFUSION_COEFFS_INPUT, rows], delta);
  const add = plainNode(producer, `${base}/Add`, 'Add', [projection.output, delta], sum);
  const withEdit = insertNodes(graph, [product, add], { after: producer });
  return replaceUses(withEdit, projection.output, sum, { except: [add.name] });
}

/**
 * A new attribute-less node: a copy of `template` (a projection MatMul, so of the default domain)
 * with its name, op, inputs and outputs replaced and its attributes dropped.
 */
function plainNode(template: NodeProto, name: string, opType: string, input: string[], output: string): NodeProto {
  return copyNode(template, { name, opType, input, output: [output], attribute: [], metadataProps: [] });
}

/**
 * Makes every K projection read `perfusion_key_states` (through copies of the Cast/Identity chain
 * that leads from `encoder_hidden_states` to its activation, if any) instead of the text states.
 */
function rewireKeys(graph: GraphProto, layers: readonly CrossAttentionLayer[]): GraphProto {
  const index = new GraphIndex(graph);
  const replacement = new Map<string, string>([[HIDDEN_STATES_INPUT, PERFUSION_KEY_STATES_INPUT]]);
  const added: NodeProto[] = [];
  const replace = (value: string): string => {
    const known = replacement.get(value);
    if (known !== undefined) return known;
    const producer = index.producer(value)!; // a Cast/Identity of the text states (findCrossAttentionLayers checked)
    const input = replace(producer.input[0]!);
    const name = `${PERFUSION_KEY_STATES_INPUT}/${producer.name || producer.opType}`;
    const copy = copyNode(producer, { name, input: [input], output: [`${name}_output_0`] });
    added.push(copy);
    replacement.set(value, copy.output[0]!);
    return copy.output[0]!;
  };
  const keyInputs = new Map(layers.map((l) => [l.k.output, replace(l.k.activation)]));
  const node = graph.node.map((n) => {
    const activation = keyInputs.get(n.output[0] ?? '');
    return activation === undefined ? n : copyNode(n, { input: [activation, ...n.input.slice(1)] });
  });
  const rewired = copyGraph(graph, { node });
  return added.length === 0 ? rewired : insertNodes(rewired, added);
}

function commonDType(layers: readonly CrossAttentionLayer[], modelPath: string): FloatDType {
  const dtypes = new Set(layers.flatMap((l) => [l.k.dtype, l.v.dtype]));
  if (dtypes.size > 1) {
    throw new CrossAttentionStructureError(
      modelPath,
      layers.map((l) => l.key),
      `the projections mix ${[...dtypes].join(' and ')} weights; the Perfusion inputs need one element type`,
    );
  }
  return dtypes.values().next().value ?? 'float32';
}

function checkDistinctNames(layers: readonly CrossAttentionLayer[], modelPath: string): void {
  const seen = new Map<string, string>();
  for (const layer of layers) {
    const name = layerRowInputs(layer.key).k;
    const other = seen.get(name);
    if (other !== undefined) {
      throw new CrossAttentionStructureError(modelPath, [other, layer.key], `layers '${other}' and '${layer.key}' would share the input '${name}'`);
    }
    seen.set(name, layer.key);
  }
}

function orName(dim: Dim | undefined, name: string): number | string {
  return dim === null || dim === undefined ? name : dim;
}
