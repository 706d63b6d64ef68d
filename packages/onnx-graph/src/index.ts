// The public surface of @perfusion/onnx-graph: re-exports only.

// ONNX schema: generated protobuf-es message types, schemas and enums.
export * from './gen/onnx_pb.js';

export {
  OnnxGraphError,
  ModelDecodeError,
  ModelTooLargeError,
  UnsupportedDataTypeError,
  TensorDataError,
  ExternalDataError,
  GraphStructureError,
  StaleGraphIndexError,
  PatchedModelCacheError,
} from './errors.js';
export type { ModelDecodeFailure } from './errors.js';

// Codec and model files
export { decodeModel, encodeModel } from './codec.js';
export type { EncodeOptions } from './codec.js';
export { readModel, readModelSync, writeModel, writeModelSync } from './model-file.js';
export type { WriteModelOptions } from './model-file.js';
export { PROTOBUF_MESSAGE_LIMIT, inlineTensorBytes, inlineModelTensorBytes } from './model-size.js';
export { forEachTensor, forEachGraphTensor } from './tensor-walk.js';
export type { TensorVisitor } from './tensor-walk.js';

// Tensors
export { onnxDataType, dtypeFromOnnx, onnxDataTypeName } from './dtype.js';
export { tensorToProto, tensorFromProto } from './tensor-proto.js';
export { onnxElementBytes, tensorDims, tensorElementCount, tensorByteLength, inlinePayload, rawDataOffsetIn } from './tensor-payload.js';

// External data
export { ExternalDataWriter } from './external-data/writer.js';
export type { ExternalDataWriterOptions } from './external-data/writer.js';
export { externalDataInfo, isExternalTensor, setExternalData } from './external-data/info.js';
export type { ExternalDataInfo } from './external-data/info.js';
export { normalizeLocation, resolveLocation } from './external-data/location.js';
export { readExternalPayload } from './external-data/read.js';
export { writeExternalTensorFile, tensorFileName } from './external-data/tensor-file.js';
export { relocateExternalData } from './external-data/relocate.js';
export type { RelocateOptions, RelocatedFile, RelocationAction } from './external-data/relocate.js';
export { externalizeInitializers } from './external-data/externalize.js';
export type { ExternalizeOptions } from './external-data/externalize.js';
export { linkOrCopyFile } from './external-data/link-file.js';
export type { LinkAction } from './external-data/link-file.js';

// Patched-model cache: patched copies of a model written once, weights linked (see src/patched-model-cache/)
export * from './patched-model-cache/index.js';

// Shapes and queries
export { valueShape, valueElemType, valueDType, tensorValueInfo } from './shape-info.js';
export type { Dim } from './shape-info.js';
export { GraphIndex } from './graph-index.js';
export type { ValueType } from './graph-index.js';
export { nodeInputs, implicitInputs, outerReferences } from './graph-scope.js';

// Rewrite passes
export { insertNodes } from './passes/insert-nodes.js';
export type { NodePlacement } from './passes/insert-nodes.js';
export { addGraphInput, addGraphOutput, removeGraphOutput, addInitializer } from './passes/graph-io.js';
export { replaceUses } from './passes/replace-uses.js';
export type { ReplaceUsesOptions } from './passes/replace-uses.js';
export { renameValue } from './passes/rename-value.js';
export type { RenameValueOptions } from './passes/rename-value.js';
export { removeDeadNodes } from './passes/remove-dead-nodes.js';
export { topologicalSort, topologicalOrder } from './passes/topological-sort.js';
export { findGraphProblems, validateGraph, validateModel, GraphValidationError } from './passes/validate.js';
export type { GraphProblem, GraphProblemKind } from './passes/validate.js';
export { copyGraph, copyNode } from './passes/copy.js';

// Graph builder (see src/builder/)
export * from './builder/index.js';

// onnxruntime sessions with tensor-core tensors (see src/session/)
export * from './session/index.js';

// Reverse-mode autodiff (see src/autodiff/)
export * from './autodiff/index.js';
