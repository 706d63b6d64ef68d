import { InvalidMetadataError, MissingMetadataError, UnsupportedFormatVersionError } from '../errors.js';
import { describeJson, JsonNumber, JsonSyntaxError, parseJson, toPlainJson, type JsonObject, type JsonValue } from '../json/strict-json.js';
import { checkDefaults, checkJsonObject, checkSupercategory, checkToken } from './checks.js';
import { CONCEPT_FORMAT, CONCEPT_METADATA_KEYS as KEY, SUPPORTED_FORMAT_VERSIONS } from './layout.js';
import type { BaseModelRef, ConceptDType, InferenceDefaults, LayerSpec, TrainingSummary } from './types.js';

/** The `__metadata__` of a concept file, parsed and checked. */
export interface ConceptMetadata {
  formatVersion: number;
  token: string;
  supercategory: string;
  baseModel: BaseModelRef;
  defaults: InferenceDefaults;
  dtype: ConceptDType;
  layers: LayerSpec[];
  training?: TrainingSummary;
  createdBy?: string;
}

/**
 * Parses and checks a concept file's metadata. The format marker and version come first, so a file
 * from a newer writer is reported as such rather than by whatever else changed. Unknown keys are
 * ignored (additive metadata does not change the format version).
 */
export function parseConceptMetadata(file: string, metadata: Readonly<Record<string, string>>): ConceptMetadata {
  const get = (key: string): string | undefined => (Object.prototype.hasOwnProperty.call(metadata, key) ? metadata[key] : undefined);
  const require = (key: string, what: string): string => {
    const value = get(key);
    if (value === undefined) throw new MissingMetadataError(file, key, what);
    return value;
  };

  const format = get(KEY.format);
  if (format === undefined) {
    throw new MissingMetadataError(
      file,
      KEY.format,
      `this safetensors file is not a Perfusion concept (a concept file has format '${CONCEPT_FORMAT}'); check the path, or write the concept with @perfusion/concept-format.`,
    );
  }
  if (format !== CONCEPT_FORMAT) {
    throw new InvalidMetadataError(file, KEY.format, `is ${JSON.stringify(format)}, not '${CONCEPT_FORMAT}': this safetensors file is not a Perfusion concept.`);
  }

  const versionText = require(KEY.formatVersion, 'the format version; the file is damaged or was not written by a concept writer.');
  const version = parseJsonValue(file, KEY.formatVersion, versionText);
  if (!(version instanceof JsonNumber) || !version.isIntegerLiteral || !Number.isSafeInteger(version.value)) {
    throw new InvalidMetadataError(file, KEY.formatVersion, `must be an integer such as "1", got ${JSON.stringify(versionText)}.`);
  }
  if (!SUPPORTED_FORMAT_VERSIONS.includes(version.value)) throw new UnsupportedFormatVersionError(file, version.text, SUPPORTED_FORMAT_VERSIONS);

  const token = checkToken(file, require(KEY.token, "the concept's token (the prompt word that calls it, e.g. '<my-cat>'); add it or rewrite the file."));
  const supercategory = checkSupercategory(file, require(KEY.supercategory, "the concept's supercategory word (e.g. 'cat'); add it or rewrite the file."));

  const baseModelJson = objectValue(file, KEY.baseModel, require(KEY.baseModel, 'the base model the concept was trained on ({"fingerprint": ...}).'));
  const fingerprint = baseModelJson.get('fingerprint');
  if (typeof fingerprint !== 'string' || fingerprint.length === 0) {
    throw new InvalidMetadataError(file, KEY.baseModel, `fingerprint must be a non-empty string, got ${fingerprint === undefined ? 'nothing' : describeJson(fingerprint)}.`);
  }
  const name = baseModelJson.get('name');
  if (name !== undefined && typeof name !== 'string') throw new InvalidMetadataError(file, KEY.baseModel, `name must be a string, got ${describeJson(name)}.`);
  const baseModel: BaseModelRef = name === undefined ? { fingerprint } : { fingerprint, name };

  const defaultsJson = objectValue(file, KEY.defaults, require(KEY.defaults, 'the inference defaults ({"beta": 0.7, "tau": 0.15}).'));
  const defaults = checkDefaults(file, { beta: numberField(file, KEY.defaults, defaultsJson, 'beta'), tau: numberField(file, KEY.defaults, defaultsJson, 'tau') });

  const dtype = require(KEY.dtype, "the tensors' dtype ('float32' or 'float16').");
  if (dtype !== 'float32' && dtype !== 'float16') throw new InvalidMetadataError(file, KEY.dtype, `must be 'float32' or 'float16', got ${JSON.stringify(dtype)}.`);

  const layers = parseLayers(file, require(KEY.layers, 'the list of cross-attention layers and widths the value targets are for.'));

  const trainingText = get(KEY.training);
  const training = trainingText === undefined ? undefined : checkJsonObject(file, KEY.training, toPlainJson(objectValue(file, KEY.training, trainingText)));
  const createdBy = get(KEY.createdBy);

  return {
    formatVersion: version.value,
    token,
    supercategory,
    baseModel,
    defaults,
    dtype,
    layers,
    ...(training === undefined ? {} : { training }),
    ...(createdBy === undefined ? {} : { createdBy }),
  };
}

function parseLayers(file: string, text: string): LayerSpec[] {
  const list = parseJsonValue(file, KEY.layers, text);
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidMetadataError(file, KEY.layers, `must be a non-empty JSON array of {"layer": name, "width": n}, got ${describeJson(list)}.`);
  }
  const seen = new Set<string>();
  return list.map((item, i) => {
    if (!(item instanceof Map)) throw new InvalidMetadataError(file, KEY.layers, `entry ${i} must be {"layer": name, "width": n}, got ${describeJson(item)}.`);
    const layer = item.get('layer');
    if (typeof layer !== 'string' || layer.length === 0) {
      throw new InvalidMetadataError(file, KEY.layers, `entry ${i}: layer must be a non-empty string, got ${layer === undefined ? 'nothing' : describeJson(layer)}.`);
    }
    if (seen.has(layer)) throw new InvalidMetadataError(file, KEY.layers, `layer '${layer}' is listed twice.`);
    seen.add(layer);
    const width = item.get('width');
    if (!(width instanceof JsonNumber) || !width.isIntegerLiteral || !Number.isSafeInteger(width.value) || width.value <= 0) {
      throw new InvalidMetadataError(file, KEY.layers, `the width of layer '${layer}' must be a positive integer, got ${width === undefined ? 'nothing' : describeJson(width)}.`);
    }
    return { layer, width: width.value };
  });
}

function parseJsonValue(file: string, key: string, text: string): JsonValue {
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InvalidMetadataError(file, key, `is not valid JSON (${error.reason} at character ${error.offset}): ${JSON.stringify(text.slice(0, 60))}.`);
    throw error;
  }
}

function objectValue(file: string, key: string, text: string): JsonObject {
  const value = parseJsonValue(file, key, text);
  if (!(value instanceof Map)) throw new InvalidMetadataError(file, key, `must be a JSON object, got ${describeJson(value)}.`);
  return value;
}

function numberField(file: string, key: string, object: JsonObject, field: string): number {
  const value = object.get(field);
  if (!(value instanceof JsonNumber)) throw new InvalidMetadataError(file, key, `${field} must be a number, got ${value === undefined ? 'nothing' : describeJson(value)}.`);
  return value.value;
}
