import { MAX_CONCEPTS, MAX_STEPS } from '@perfusion/pipeline';
import { SCHEDULER_NAMES } from '@perfusion/scheduler';
import { Ajv, type ErrorObject } from 'ajv';

/** A concept of the concepts folder, by id (its file name), with optional gate settings. */
export interface ConceptChoice {
  readonly id: string;
  /** The gate bias β; the file's default when absent. */
  readonly beta?: number;
  /** The gate temperature τ (> 0); the file's default when absent. */
  readonly tau?: number;
}

/** What a page asks to generate (a subset of the pipeline's request, with concepts by id). */
export interface DemoRequest {
  readonly prompt: string;
  readonly negativePrompt?: string;
  readonly seed?: number;
  readonly steps?: number;
  readonly scheduler?: string;
  readonly guidanceScale?: number;
  readonly width?: number;
  readonly height?: number;
  readonly concepts?: readonly ConceptChoice[];
  /** Step previews (default true). */
  readonly previews?: boolean;
}

/** Messages a client sends on `/api/generate`. */
export type ClientMessage =
  | { readonly type: 'generate'; readonly request: DemoRequest }
  | { readonly type: 'sweep'; readonly request: DemoRequest; readonly betas: readonly number[] }
  | { readonly type: 'stop' };

/** The largest image side a client may ask for: a demo server should not be asked for a poster. */
export const MAX_IMAGE_SIDE = 1024;
export const MAX_PROMPT_LENGTH = 1000;
export const MIN_SWEEP_BETAS = 2;
export const MAX_SWEEP_BETAS = 6;

const conceptSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    beta: { type: 'number' },
    tau: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

const requestProperties = {
  prompt: { type: 'string', maxLength: MAX_PROMPT_LENGTH },
  negativePrompt: { type: 'string', maxLength: MAX_PROMPT_LENGTH },
  seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  steps: { type: 'integer', minimum: 1, maximum: MAX_STEPS },
  scheduler: { type: 'string', enum: SCHEDULER_NAMES },
  guidanceScale: { type: 'number', minimum: 0, maximum: 50 },
  width: { type: 'integer', minimum: 8, maximum: MAX_IMAGE_SIDE, multipleOf: 8 },
  height: { type: 'integer', minimum: 8, maximum: MAX_IMAGE_SIDE, multipleOf: 8 },
  concepts: { type: 'array', maxItems: MAX_CONCEPTS, items: conceptSchema },
  previews: { type: 'boolean' },
} as const;

const requestSchema = { type: 'object', required: ['prompt'], additionalProperties: false, properties: requestProperties } as const;

/** A sweep varies the β of its concepts, so it needs at least one. */
const sweepRequestSchema = {
  ...requestSchema,
  required: ['prompt', 'concepts'],
  properties: { ...requestProperties, concepts: { ...requestProperties.concepts, minItems: 1 } },
} as const;

/** The JSON schema of every client message (ajv, with `type` as discriminator). */
export const CLIENT_MESSAGE_SCHEMA = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    { properties: { type: { const: 'generate' }, request: requestSchema }, required: ['type', 'request'], additionalProperties: false },
    {
      properties: {
        type: { const: 'sweep' },
        request: sweepRequestSchema,
        betas: { type: 'array', minItems: MIN_SWEEP_BETAS, maxItems: MAX_SWEEP_BETAS, items: { type: 'number' } },
      },
      required: ['type', 'request', 'betas'],
      additionalProperties: false,
    },
    { properties: { type: { const: 'stop' } }, required: ['type'], additionalProperties: false },
  ],
} as const;

const validate = new Ajv({ discriminator: true, allErrors: false }).compile<ClientMessage>(CLIENT_MESSAGE_SCHEMA);

/** A client message that is not JSON or does not fit {@link CLIENT_MESSAGE_SCHEMA}; the message says where and how. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

const EXAMPLE = `send {"type":"generate","request":{"prompt":"a red cat"}}, {"type":"sweep","request":{...,"concepts":[{"id":"my-cat.safetensors"}]},"betas":[0.5,0.7]} or {"type":"stop"}`;

/**
 * Parses and validates one text frame.
 * @throws {InvalidMessageError} naming the first field at fault and what it accepts.
 */
export function parseClientMessage(text: string): ClientMessage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InvalidMessageError(`the message is not JSON; ${EXAMPLE}.`);
  }
  if (validate(data)) return data;
  const error = validate.errors![0]!;
  // The message's shape is wrong as a whole: show what one looks like.
  const hint = error.instancePath === '' ? `; ${EXAMPLE}` : '';
  throw new InvalidMessageError(`${describe(error)}${hint}.`);
}

/** One ajv error as a sentence about the field: `request.steps must be <= 1000`. */
function describe(error: ErrorObject): string {
  const where = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `${where} must be ${params['type'] === 'object' ? 'a JSON object' : `of type ${String(params['type'])}`}`;
    case 'required':
      return `${where} lacks the field "${String(params['missingProperty'])}"`;
    case 'additionalProperties': {
      const known = error.instancePath === '/request' ? `; the fields are ${Object.keys(requestProperties).join(', ')}` : '';
      return `${where} has an unknown field "${String(params['additionalProperty'])}"${known}`;
    }
    case 'discriminator':
      return `the message's "type" must be "generate", "sweep" or "stop"`;
    case 'enum':
      return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minItems':
      return `${where} needs at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/** `/request/concepts/0/id` → `request.concepts[0].id`. */
function fieldName(instancePath: string): string {
  if (instancePath === '') return 'the message';
  return instancePath
    .slice(1)
    .split('/')
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
