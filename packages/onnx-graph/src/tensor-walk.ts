import type { GraphProto, ModelProto, NodeProto, SparseTensorProto, TensorProto } from './gen/onnx_pb.js';

/** Called once per TensorProto; `owner` says where it lives, for messages ("initializer", "node 'x' attribute 'value'"). */
export type TensorVisitor = (tensor: TensorProto, owner: string) => void;

/**
 * Visits every TensorProto a model holds: graph initializers, sparse initializers, tensor-valued node
 * attributes (Constant values...), and the same inside subgraphs (If/Loop/Scan bodies) and model
 * functions. Tensor data can hide in any of these, so size checks and external-data handling must
 * look at all of them, not only at `graph.initializer`.
 */
export function forEachTensor(model: ModelProto, visit: TensorVisitor): void {
  if (model.graph !== undefined) forEachGraphTensor(model.graph, visit);
  for (const fn of model.functions) {
    for (const node of fn.node) visitNodeTensors(node, visit);
  }
}

/** {@link forEachTensor} for one graph and its subgraphs. */
export function forEachGraphTensor(graph: GraphProto, visit: TensorVisitor): void {
  for (const t of graph.initializer) visit(t, `initializer '${t.name}'`);
  for (const s of graph.sparseInitializer) visitSparse(s, 'sparse initializer', visit);
  for (const node of graph.node) visitNodeTensors(node, visit);
}

function visitNodeTensors(node: NodeProto, visit: TensorVisitor): void {
  for (const attr of node.attribute) {
    const owner = `node '${node.name}' attribute '${attr.name}'`;
    if (attr.t !== undefined) visit(attr.t, owner);
    for (const t of attr.tensors) visit(t, owner);
    if (attr.sparseTensor !== undefined) visitSparse(attr.sparseTensor, owner, visit);
    for (const s of attr.sparseTensors) visitSparse(s, owner, visit);
    if (attr.g !== undefined) forEachGraphTensor(attr.g, visit);
    for (const g of attr.graphs) forEachGraphTensor(g, visit);
  }
}

function visitSparse(sparse: SparseTensorProto, owner: string, visit: TensorVisitor): void {
  if (sparse.values !== undefined) visit(sparse.values, `${owner} values`);
  if (sparse.indices !== undefined) visit(sparse.indices, `${owner} indices`);
}
