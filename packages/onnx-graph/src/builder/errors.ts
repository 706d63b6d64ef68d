import { OnnxGraphError } from '../errors.js';

/**
 * Thrown when a graph under construction is inconsistent: a node reads a value nothing produces,
 * an output names an unknown value, an option is out of range. The message names the node or
 * value and says what to change.
 */
export class GraphBuilderError extends OnnxGraphError {}
