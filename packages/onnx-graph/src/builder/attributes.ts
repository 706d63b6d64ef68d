import { create } from '@bufbuild/protobuf';
import {
  type AttributeProto,
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  type TensorProto,
} from '../gen/onnx_pb.js';
import { GraphBuilderError } from './errors.js';

/** An attribute value whose ONNX type is stated explicitly (see {@link attr}). */
export interface TypedAttribute {
  readonly kind: 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor';
  readonly value: number | bigint | string | readonly (number | bigint)[] | readonly string[] | TensorProto;
}

/**
 * A JS value for a node attribute. Plain values are typed by inspection: an integral number or a
 * bigint is INT, any other number FLOAT, a string STRING, a TensorProto TENSOR, an array of
 * integral numbers (or an empty array) INTS, an array with any fractional number FLOATS, an
 * array of strings STRINGS. Where inspection would guess wrong (`epsilon: 1` meant as a float),
 * wrap the value with {@link attr}.
 */
export type AttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly bigint[]
  | readonly string[]
  | TensorProto
  | TypedAttribute;

/** Attribute map of one node, in the order they should be written. */
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

/** Explicitly typed attribute values, for when inspection of a plain value would be ambiguous. */
export const attr = {
  int: (value: number | bigint): TypedAttribute => ({ kind: 'int', value }),
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
  ints: (value: readonly (number | bigint)[]): TypedAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): TypedAttribute => ({ kind: 'strings', value }),
  tensor: (value: TensorProto): TypedAttribute => ({ kind: 'tensor', value }),
} as const;

const utf8 = new TextEncoder();

/** Converts one JS attribute value to an AttributeProto (see {@link AttributeValue} for the typing rules). */
export function toAttributeProto(name: string, value: AttributeValue): AttributeProto {
  const typed = isTyped(value) ? value : inferType(name, value);
  switch (typed.kind) {
    case 'int':
      return create(AttributeProtoSchema, { name, type: AttrType.INT, i: toBigInt(name, typed.value) });
    case 'float':
      return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: Number(typed.value) });
    case 'string':
      return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: utf8.encode(String(typed.value)) });
    case 'ints':
      return create(AttributeProtoSchema, {
        name,
        type: AttrType.INTS,
        ints: (typed.value as readonly (number | bigint)[]).map((v) => toBigInt(name, v)),
      });
    case 'floats':
      return create(AttributeProtoSchema, {
        name,
        type: AttrType.FLOATS,
        floats: (typed.value as readonly number[]).map(Number),
      });
    case 'strings':
      return create(AttributeProtoSchema, {
        name,
        type: AttrType.STRINGS,
        strings: (typed.value as readonly string[]).map((s) => utf8.encode(s)),
      });
    case 'tensor':
      return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: typed.value as TensorProto });
  }
}

/** Converts an attribute map, skipping entries whose value is `undefined`. */
export function toAttributeProtos(attributes: Attributes | undefined): AttributeProto[] {
  if (attributes === undefined) return [];
  return Object.entries(attributes)
    .filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined)
    .map(([name, value]) => toAttributeProto(name, value));
}

function isTyped(value: AttributeValue): value is TypedAttribute {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'kind' in value && 'value' in value;
}

function inferType(name: string, value: Exclude<AttributeValue, TypedAttribute>): TypedAttribute {
  if (typeof value === 'bigint') return attr.int(value);
  if (typeof value === 'number') return Number.isInteger(value) ? attr.int(value) : attr.float(value);
  if (typeof value === 'string') return attr.string(value);
  if (Array.isArray(value)) {
    const list = value as readonly (number | bigint | string)[];
    if (list.every((v) => typeof v === 'string')) return list.length === 0 ? attr.ints([]) : attr.strings(list as string[]);
    if (list.every((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) {
      return attr.ints(list as (number | bigint)[]);
    }
    if (list.every((v) => typeof v === 'number')) return attr.floats(list as number[]);
    throw new GraphBuilderError(`attribute "${name}": a list must hold only numbers or only strings`);
  }
  return attr.tensor(value as TensorProto);
}

function toBigInt(name: string, v: number | bigint | unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new GraphBuilderError(`attribute "${name}": ${String(v)} is not an integer; use attr.float / attr.floats for fractional values`);
}
