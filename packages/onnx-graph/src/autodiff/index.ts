// Reverse-mode autodiff: a forward graph + scalar loss → one ONNX graph computing loss and gradients.
export { buildGradientGraph, gradientOutputName, GRADIENT_PREFIX } from './build-gradient-graph.js';
export type { GradientRequest } from './build-gradient-graph.js';
export type { RecomputeMode } from './recompute.js';
export { supportedGradientOps } from './registry.js';
export { countRuntimeBroadcastSums } from './runtime-reductions.js';
export { UnsupportedGradientOpError, GradientGraphError } from './errors.js';
