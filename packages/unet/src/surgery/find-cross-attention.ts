import { GraphIndex, TensorProto_DataType, tensorDims, type GraphProto, type NodeProto, type TensorProto } from '@perfusion/onnx-graph';
import { HIDDEN_STATES_INPUT, type FloatDType } from '../model-io.js';
import { CrossAttentionStructureError, NoCrossAttentionError } from './errors.js';
import type { CrossAttentionLayer, ProjectionNode } from './layers.js';

/**
 * Ops a projection's result passes through on its way to the attention product, with the input
 * positions that carry the data (the others are shapes, axes, scales).
 */
const DATA_INPUTS: Readonly<Record<string, readonly number[] | 'all'>> = {
  Reshape: [0],
  Transpose: [0],
  Cast: [0],
  CastLike: [0],
  Identity: [0],
  Dropout: [0],
  Squeeze: [0],
  Unsqueeze: [0],
  Expand: [0],
  Flatten: [0],
  Slice: [0],
  Mul: 'all',
  Div: 'all',
  Add: 'all',
  Sub: 'all',
  Where: [1, 2],
};

/** Ops that multiply two activations: where a projection meets the query (K) or the attention weights (V). */
const PRODUCT_OPS = new Set(['MatMul', 'Einsum']);
/** onnxruntime's fused attention: (query, key, value, …) at inputs 0, 1, 2. */
const FUSED_ATTENTION = 'MultiHeadAttention';
/** How far (in nodes) to follow a value through reshapes and scales before giving up. */
const SEARCH_LIMIT = 64;

const K_NAME = /^(.*)\/to_k\/MatMul$/;
const V_NAME = /^(.*)\/to_v\/MatMul$/;

interface Role {
  readonly role: 'k' | 'v';
  /** The Softmax (or fused attention node) the projection belongs to: K and V of a layer share it. */
  readonly anchor: NodeProto;
}

/**
 * Every cross-attention layer of a UNet graph, in graph order: the MatMuls that multiply the
 * `encoder_hidden_states` input (directly, or through Cast/Identity nodes as float16 exports with
 * float32 inputs do) by a `[d, width]` weight initializer, told apart by following the graph,
 * not by their names: K's result meets the query in the product that feeds a Softmax, V's result
 * meets the Softmax's output. onnxruntime's fused `MultiHeadAttention` (K at input 1, V at input 2)
 * is recognised too.
 *
 * @param modelPath used in error messages only.
 * @throws NoCrossAttentionError when the graph has no `encoder_hidden_states` input or no projection of it.
 * @throws CrossAttentionStructureError when a MatMul of the text states is neither K nor V of an
 *   attention, an attention lacks its K or V, K and V widths differ, or a weight is not an initializer.
 */
export function findCrossAttentionLayers(graph: GraphProto, modelPath: string): CrossAttentionLayer[] {
  const index = new GraphIndex(graph);
  if (index.graphInput(HIDDEN_STATES_INPUT) === undefined) {
    throw new NoCrossAttentionError(modelPath, `the graph has no input '${HIDDEN_STATES_INPUT}' (its inputs: ${graph.input.map((i) => `'${i.name}'`).join(', ') || 'none'})`);
  }
  const sources = hiddenStateValues(index);
  const candidates: NodeProto[] = [];
  for (const value of sources) {
    for (const node of index.consumers(value)) {
      if (node.opType === 'MatMul' && node.domain === '' && node.input[0] === value) candidates.push(node);
    }
  }
  if (candidates.length === 0) {
    const consumers = [...sources].flatMap((v) => index.consumers(v).map((n) => `${n.opType} '${n.name}'`));
    throw new NoCrossAttentionError(
      modelPath,
      `no MatMul multiplies '${HIDDEN_STATES_INPUT}' by a weight (it feeds ${consumers.length === 0 ? 'nothing' : consumers.join(', ')})`,
    );
  }

  const byAnchor = new Map<NodeProto, { k?: ProjectionNode; v?: ProjectionNode; first: number }>();
  const unplaced: NodeProto[] = [];
  for (const node of candidates) {
    const role = classify(index, node, modelPath);
    if (role === undefined) {
      unplaced.push(node);
      continue;
    }
    const projection = describeProjection(index, node, modelPath);
    const entry = byAnchor.get(role.anchor) ?? { first: index.position(node) };
    if (entry[role.role] !== undefined) {
      throw new CrossAttentionStructureError(
        modelPath,
        [displayName(entry[role.role]!), displayName(projection)],
        `two ${role.role.toUpperCase()} projections feed the attention at '${role.anchor.name || role.anchor.opType}'`,
      );
    }
    byAnchor.set(role.anchor, { ...entry, [role.role]: projection, first: Math.min(entry.first, index.position(node)) });
  }
  if (unplaced.length > 0) {
    throw new CrossAttentionStructureError(
      modelPath,
      unplaced.map((n) => n.name || n.output[0]!),
      `these MatMuls of '${HIDDEN_STATES_INPUT}' are neither the key nor the value projection of an attention ` +
        '(no Softmax found after their product with the query, nor before their product with the attention weights)',
    );
  }

  const pairs = [...byAnchor.values()].sort((a, b) => a.first - b.first);
  const layers = pairs.map((pair, i) => {
    if (pair.k === undefined || pair.v === undefined) {
      const present = (pair.k ?? pair.v)!;
      throw new CrossAttentionStructureError(modelPath, [displayName(present)], `an attention has a ${pair.k ? 'K' : 'V'} projection of the text states but no ${pair.k ? 'V' : 'K'} projection`);
    }
    return pairLayer(index, pair.k, pair.v, i, modelPath);
  });
  return withStableKeys(layers);
}

/** `encoder_hidden_states` and the values Cast/Identity chains make of it. */
function hiddenStateValues(index: GraphIndex): Set<string> {
  const values = new Set([HIDDEN_STATES_INPUT]);
  const queue = [HIDDEN_STATES_INPUT];
  while (queue.length > 0) {
    for (const node of index.consumers(queue.shift()!)) {
      if ((node.opType === 'Cast' || node.opType === 'Identity') && node.domain === '' && !values.has(node.output[0]!)) {
        values.add(node.output[0]!);
        queue.push(node.output[0]!);
      }
    }
  }
  return values;
}

/** Whether the projection is a K or a V, and the attention it belongs to; undefined when neither. */
function classify(index: GraphIndex, projection: NodeProto, modelPath: string): Role | undefined {
  const roles: Role[] = [];
  for (const { node, inputIndex } of reachProducts(index, projection.output[0]!)) {
    if (node.opType === FUSED_ATTENTION) {
      if (inputIndex === 1 || inputIndex === 2) roles.push({ role: inputIndex === 1 ? 'k' : 'v', anchor: node });
      continue;
    }
    const other = node.input[inputIndex === 0 ? 1 : 0];
    const weightsFrom = other === undefined ? undefined : softmaxBefore(index, other);
    if (weightsFrom !== undefined) {
      roles.push({ role: 'v', anchor: weightsFrom });
      continue;
    }
    const scoresTo = softmaxAfter(index, node.output[0]!);
    if (scoresTo !== undefined) roles.push({ role: 'k', anchor: scoresTo });
  }
  if (roles.length === 0) return undefined;
  const distinct = new Set(roles.map((r) => `${r.role}:${index.position(r.anchor)}`));
  if (distinct.size > 1) {
    throw new CrossAttentionStructureError(modelPath, [projection.name || projection.output[0]!], 'the projection reaches more than one attention, or is both key and value');
  }
  return roles[0];
}

/** The products (MatMul, Einsum, fused attention) a value reaches through reshapes, casts and scales. */
function reachProducts(index: GraphIndex, start: string): { node: NodeProto; inputIndex: number }[] {
  const found: { node: NodeProto; inputIndex: number }[] = [];
  const seen = new Set<string>([start]);
  const queue = [start];
  let steps = 0;
  while (queue.length > 0 && steps++ < SEARCH_LIMIT) {
    const value = queue.shift()!;
    for (const node of index.consumers(value)) {
      node.input.forEach((input, inputIndex) => {
        if (input !== value) return;
        if ((PRODUCT_OPS.has(node.opType) && node.domain === '') || node.opType === FUSED_ATTENTION) {
          found.push({ node, inputIndex });
          return;
        }
        if (!carriesData(node, inputIndex)) return;
        for (const out of node.output) {
          if (out !== '' && !seen.has(out)) {
            seen.add(out);
            queue.push(out);
          }
        }
      });
    }
  }
  return found;
}

/** The Softmax a value leads to through scales, masks, casts and reshapes (the attention scores' path). */
function softmaxAfter(index: GraphIndex, start: string): NodeProto | undefined {
  const seen = new Set<string>([start]);
  const queue = [start];
  let steps = 0;
  while (queue.length > 0 && steps++ < SEARCH_LIMIT) {
    const value = queue.shift()!;
    for (const node of index.consumers(value)) {
      if (node.opType === 'Softmax' && node.input[0] === value) return node;
      const position = node.input.indexOf(value);
      if (!carriesData(node, position)) continue;
      for (const out of node.output) {
        if (out !== '' && !seen.has(out)) {
          seen.add(out);
          queue.push(out);
        }
      }
    }
  }
  return undefined;
}

/** The Softmax a value comes from through casts, reshapes and scales (the attention weights' path). */
function softmaxBefore(index: GraphIndex, start: string): NodeProto | undefined {
  let frontier = [start];
  const seen = new Set<string>(frontier);
  for (let steps = 0; frontier.length > 0 && steps < SEARCH_LIMIT; steps++) {
    const next: string[] = [];
    for (const value of frontier) {
      const node = index.producer(value);
      if (node === undefined) continue;
      if (node.opType === 'Softmax') return node;
      const inputs = DATA_INPUTS[node.opType];
      if (inputs === undefined || node.domain !== '') continue;
      const positions = inputs === 'all' ? node.input.map((_, i) => i) : inputs;
      for (const p of positions) {
        const input = node.input[p];
        if (input !== undefined && input !== '' && !seen.has(input)) {
          seen.add(input);
          next.push(input);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

function carriesData(node: NodeProto, inputIndex: number): boolean {
  if (node.domain !== '' || inputIndex < 0) return false;
  const inputs = DATA_INPUTS[node.opType];
  return inputs === 'all' || (inputs !== undefined && inputs.includes(inputIndex));
}

function describeProjection(index: GraphIndex, node: NodeProto, modelPath: string): ProjectionNode {
  const where = node.name || node.output[0]!;
  const weight = initializerBehind(index, node.input[1]!);
  if (weight === undefined) {
    throw new CrossAttentionStructureError(modelPath, [where], `the projection's weight '${node.input[1]}' is not an initializer (nor an Identity of one)`);
  }
  const dims = tensorDims(weight);
  if (dims.length !== 2) {
    throw new CrossAttentionStructureError(modelPath, [where], `the projection's weight '${weight.name}' has shape [${dims.join(', ')}]; expected [d, width]`);
  }
  const dtype = floatDType(weight.dataType);
  if (dtype === undefined) {
    throw new CrossAttentionStructureError(modelPath, [where], `the projection's weight '${weight.name}' has ONNX element type ${weight.dataType}; expected float or float16`);
  }
  return { name: node.name, output: node.output[0]!, activation: node.input[0]!, weight: weight.name, dtype };
}

function initializerBehind(index: GraphIndex, value: string): TensorProto | undefined {
  let name = value;
  for (let hops = 0; hops < SEARCH_LIMIT; hops++) {
    const init = index.initializer(name);
    if (init !== undefined) return init;
    const producer = index.producer(name);
    if (producer?.opType !== 'Identity' || producer.domain !== '') return undefined;
    name = producer.input[0]!;
  }
  return undefined;
}

function floatDType(code: number): FloatDType | undefined {
  if (code === TensorProto_DataType.FLOAT) return 'float32';
  if (code === TensorProto_DataType.FLOAT16) return 'float16';
  return undefined;
}

function pairLayer(index: GraphIndex, k: ProjectionNode, v: ProjectionNode, i: number, modelPath: string): CrossAttentionLayer {
  const [kDim, kWidth] = tensorDims(index.initializer(k.weight)!) as [number, number];
  const [vDim, vWidth] = tensorDims(index.initializer(v.weight)!) as [number, number];
  if (kDim !== vDim || kWidth !== vWidth) {
    throw new CrossAttentionStructureError(modelPath, [displayName(k), displayName(v)], `K weight is [${kDim}, ${kWidth}] but V weight is [${vDim}, ${vWidth}]`);
  }
  if (k.dtype !== v.dtype) {
    throw new CrossAttentionStructureError(modelPath, [displayName(k), displayName(v)], `K weight is ${k.dtype} but V weight is ${v.dtype}`);
  }
  return { key: nameKey(k, v) ?? indexKey(i), k, v, width: kWidth, dim: kDim };
}

/** The diffusers/optimum prefix shared by `<prefix>/to_k/MatMul` and `<prefix>/to_v/MatMul`. */
function nameKey(k: ProjectionNode, v: ProjectionNode): string | undefined {
  const kPrefix = K_NAME.exec(k.name)?.[1];
  const vPrefix = V_NAME.exec(v.name)?.[1];
  return kPrefix !== undefined && kPrefix !== '' && kPrefix === vPrefix ? kPrefix : undefined;
}

function indexKey(i: number): string {
  return `cross_attention.${i}`;
}

/** Name-derived keys unless two layers would share one; then index-based keys for every layer. */
function withStableKeys(layers: CrossAttentionLayer[]): CrossAttentionLayer[] {
  if (new Set(layers.map((l) => l.key)).size === layers.length) return layers;
  return layers.map((l, i) => ({ ...l, key: indexKey(i) }));
}

function displayName(p: ProjectionNode): string {
  return p.name || p.output;
}
