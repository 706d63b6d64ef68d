/**
 * A strict JSON parser for safetensors headers and the JSON-encoded metadata values of concept files.
 * `JSON.parse` silently keeps the last of duplicate keys, accepts lone surrogate escapes, and turns
 * `__proto__` keys into prototype changes when copied naively; the safetensors spec forbids
 * duplicate names, so the header needs a parser that reports them. Objects come back as `Map`s (key
 * order kept), numbers as {@link JsonNumber} so callers can require integer literals.
 */

/** A JSON number with its source text, so `1`, `1.0` and `1e0` can be told apart. */
export class JsonNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}

  /** True when the literal has no fraction or exponent part (e.g. `12`, `-3`, not `1.0`). */
  get isIntegerLiteral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A syntax error or a duplicate key, with the character offset where it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    /** JSON path of the object holding a duplicate key (e.g. `["__metadata__"]`); empty otherwise. */
    readonly path: readonly string[] = [],
  ) {
    super(`${reason} at character ${offset}`);
  }
}

/** Deepest nesting accepted; real headers nest 3 levels, so this only stops stack exhaustion. */
const MAX_DEPTH = 64;

export interface ParseResult {
  value: JsonValue;
  /** Offset just after the value, so callers can decide what may follow (e.g. padding). */
  end: number;
}

/**
 * Parses one JSON value starting at `start` (leading whitespace allowed) and returns it with the
 * offset where it ends. Throws {@link JsonSyntaxError}.
 */
export function parseJsonPrefix(text: string, start = 0): ParseResult {
  const parser = new Parser(text, start);
  parser.skipWhitespace();
  const value = parser.value(0, []);
  return { value, end: parser.pos };
}

/** Parses a complete JSON text (only whitespace may follow the value). Throws {@link JsonSyntaxError}. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text, 0);
  parser.skipWhitespace();
  const value = parser.value(0, []);
  parser.skipWhitespace();
  if (parser.pos !== text.length) throw new JsonSyntaxError('unexpected text after the JSON value', parser.pos);
  return value;
}

/** Converts a parsed value to plain JavaScript data (objects via `Object.fromEntries`, so `__proto__` stays an own key). */
export function toPlainJson(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return value.value;
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, toPlainJson(v)]));
  return value;
}

/** A short human description of a JSON value's type, for error messages. */
export function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return `the number ${value.text}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${String(value)}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  fail(reason: string, path: readonly string[] = []): never {
    throw new JsonSyntaxError(reason, this.pos, path);
  }

  value(depth: number, path: string[]): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth, path);
      case '[':
        return this.array(depth, path);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of the JSON text');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`invalid literal (expected ${word})`);
    this.pos += word.length;
    return value;
  }

  number(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('invalid number');
    const text = match[0];
    const next = this.text[this.pos + text.length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('invalid number');
    this.pos += text.length;
    return new JsonNumber(text, Number(text));
  }

  string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string (it must be escaped)');
      if (c === 0x5c) {
        out += t.slice(runStart, this.pos);
        out += this.escape();
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  escape(): string {
    const t = this.text;
    const e = t[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const unit = this.hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone low surrogate in a \\u escape');
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (t[this.pos] !== '\\' || t[this.pos + 1] !== 'u') this.fail('lone high surrogate in a \\u escape');
          this.pos += 2;
          const low = this.hex4();
          if (low < 0xdc00 || low > 0xdfff) this.fail('high surrogate not followed by a low surrogate');
          return String.fromCharCode(unit, low);
        }
        return String.fromCharCode(unit);
      }
      default:
        this.pos -= 2;
        return this.fail('invalid escape sequence');
    }
  }

  hex4(): number {
    const digits = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape');
    this.pos += 4;
    return parseInt(digits, 16);
  }

  array(depth: number, path: string[]): JsonValue[] {
    this.pos++;
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value(depth + 1, [...path, String(items.length)]));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return items;
      }
      this.fail("expected ',' or ']' in an array");
    }
  }

  object(depth: number, path: string[]): JsonObject {
    this.pos++;
    const map: JsonObject = new Map();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key in an object');
      const keyAt = this.pos;
      const key = this.string();
      if (map.has(key)) {
        this.pos = keyAt;
        this.fail(`duplicate key ${JSON.stringify(key)}`, path);
      }
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after an object key");
      this.pos++;
      this.skipWhitespace();
      map.set(key, this.value(depth + 1, [...path, key]));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return map;
      }
      this.fail("expected ',' or '}' in an object");
    }
  }
}
