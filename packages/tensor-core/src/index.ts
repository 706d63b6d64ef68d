export {
  TensorCoreError,
  InvalidShapeError,
  ShapeMismatchError,
  DTypeMismatchError,
  UnsupportedDTypeError,
  InvalidArgumentError,
  DimensionMismatchError,
  NotPositiveDefiniteError,
  OrtTensorLocationError,
  NpyFormatError,
} from './errors.js';
export {
  DTYPES,
  DTYPE_BYTES,
  isDType,
  typedArrayConstructorFor,
  allocateTypedArray,
  viewTypedArray,
  assertTypedArrayFor,
  type DType,
  type TypedArrayMap,
  type TypedArrayFor,
  type TensorData,
} from './dtype.js';
export { shapeSize, resolveReshape } from './shape.js';
export { Tensor, type ElementInput } from './tensor.js';
export {
  float32ToFloat16,
  float16ToFloat32,
  toFloat16Array,
  toFloat32Array,
  float16BitsFromFloat32Bits,
  float32BitsFromFloat16Bits,
} from './float16.js';
export { Rng } from './random/rng.js';
export { SplitMix64, mix64 } from './random/splitmix64.js';
export { Xoshiro128StarStar } from './random/xoshiro128starstar.js';
export { Mt19937 } from './random/mt19937.js';
export { TorchGenerator } from './random/torch-generator.js';
export { NumpyRandomState } from './random/numpy-random-state.js';
export { createNoiseSource, NOISE_MODES, type NoiseMode, type NoiseSource } from './random/noise-source.js';
export { UnknownNoiseModeError, InvalidSeedError } from './random/noise-errors.js';
export { matmul } from './linalg/matmul.js';
export { cholesky } from './linalg/cholesky.js';
export { solveLowerTriangular, solveUpperTriangular, solveLowerTransposed } from './linalg/triangular.js';
export { SpdSolver } from './linalg/spd-solver.js';
export { solveSPD, type SolveSpdOptions } from './linalg/solve-spd.js';
export type { RidgeOptions } from './linalg/ridge.js';
export { toOrtTensor, fromOrtTensor } from './ort.js';
export { readNpy } from './io/npy.js';
// A small file utility every package shares (concept files, ONNX models and weights, PNGs, caches).
export {
  temporarySibling,
  writeFileAtomic,
  writeFileAtomicSync,
  renameDirectoryIntoPlace,
  nodeAtomicWriteIo,
  nodeAtomicWriteSyncIo,
  type AtomicWriteIo,
  type AtomicWriteSyncIo,
  type DirectoryPlacement,
} from './io/atomic-write.js';
