export {
  ConceptFormatError,
  TruncatedFileError,
  HeaderTooLargeError,
  MalformedHeaderError,
  TensorDTypeError,
  TensorLayoutError,
  FileTooLargeError,
  MissingMetadataError,
  InvalidMetadataError,
  UnsupportedFormatVersionError,
  ConceptTensorError,
  NonFiniteValueError,
  BaseModelMismatchError,
  MissingLayerError,
  UnexpectedLayerError,
  LayerWidthMismatchError,
  ConceptDimensionError,
  ConceptIoError,
} from './errors.js';
export {
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_BYTES,
  isSafetensorsDType,
  type SafetensorsDType,
} from './safetensors/dtypes.js';
export { SAFETENSORS_MAX_HEADER_BYTES } from './safetensors/header.js';
export { readSafetensors, type SafetensorsFile, type SafetensorsTensor, type ReadSafetensorsOptions } from './safetensors/read.js';
export {
  writeSafetensors,
  type RawSafetensorsTensor,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
} from './safetensors/write.js';
export { toTensor } from './safetensors/tensor-data.js';
export { writeFileAtomic, nodeAtomicWriteIo, type AtomicWriteIo } from './atomic-write.js';
export type {
  ConceptDType,
  LayerSpec,
  ValueTarget,
  ConceptTensors,
  BaseModelRef,
  InferenceDefaults,
  JsonData,
  TrainingSummary,
  ConceptFile,
  ConceptToWrite,
  ConceptExpectation,
  ModelDescription,
} from './concept/types.js';
export {
  CONCEPT_FORMAT,
  CONCEPT_FORMAT_VERSION,
  SUPPORTED_FORMAT_VERSIONS,
  DEFAULT_INFERENCE,
  DEFAULT_CREATED_BY,
  CONCEPT_MAX_HEADER_BYTES,
  CONCEPT_MAX_FILE_BYTES,
  CONCEPT_TENSORS,
  CONCEPT_METADATA_KEYS,
} from './concept/layout.js';
export { encodeConcept, type EncodeConceptOptions } from './concept/encode.js';
export { decodeConcept, type DecodeConceptOptions } from './concept/decode.js';
export { readConcept, writeConcept, type WriteConceptOptions } from './concept/files.js';
export { compatibility, type CompatibilityProblem, type CompatibilitySubject } from './concept/compatibility.js';
export { inspectConcept, type ConceptSummary } from './concept/inspect.js';
// Covariance files: the text-encoding covariance C of a base model (see src/covariance/).
export type { CovarianceData, CovarianceFile, CovarianceDType, CovarianceExpectation } from './covariance/types.js';
export {
  COVARIANCE_FORMAT,
  COVARIANCE_FORMAT_VERSION,
  SUPPORTED_COVARIANCE_VERSIONS,
  COVARIANCE_MAX_HEADER_BYTES,
  COVARIANCE_MAX_FILE_BYTES,
  COVARIANCE_TENSORS,
  COVARIANCE_METADATA_KEYS,
  DEFAULT_COVARIANCE_CREATED_BY,
} from './covariance/layout.js';
export { CovarianceFileError, CovarianceMismatchError } from './covariance/errors.js';
export { SYMMETRY_TOLERANCE } from './covariance/checks.js';
export { encodeCovariance, type EncodeCovarianceOptions } from './covariance/encode.js';
export { decodeCovariance, type DecodeCovarianceOptions } from './covariance/decode.js';
export { readCovariance, writeCovariance, type WriteCovarianceOptions } from './covariance/files.js';
