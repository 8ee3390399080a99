/**
 * @module Decoding patch bodies, and rendering values, the way Go does, so that error messages
 * match the apiserver's: encoding/json syntax errors (`invalid character 'x' looking for
 * beginning of value`), type errors (`json: cannot unmarshal array into Go value of type …`),
 * and fmt's `%v` for the values some strategic-merge-patch errors quote.
 */

/** A body that is not valid JSON; `message` is what Go's encoding/json would say. */
export class GoJsonSyntaxError extends Error {}

/** Parses JSON text, throwing GoJsonSyntaxError with Go's message when it is invalid. */
export function parseGoJson(body: Uint8Array | string): unknown {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GoJsonSyntaxError(goSyntaxError(text));
  }
}

/** The JSON kind Go names in "cannot unmarshal <kind> into Go value of type …". */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** reflect.TypeOf(v).String() for a value decoded into interface{}. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** fmt's `%v` for a decoded JSON value: `map[a:1 b:[x y]]`. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goFormat(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

// ---- a scanner that finds the first syntax error, with encoding/json's wording -----------

class Stop extends Error {}

function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

function goSyntaxError(text: string): string {
  let pos = 0;
  let message = '';
  const fail = (m: string): never => {
    message = m;
    throw new Stop();
  };
  const peek = (): string => {
    if (pos >= text.length) fail('unexpected end of JSON input');
    return text[pos]!;
  };
  const ws = () => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
  };
  const invalid = (c: string, context: string) => fail(`invalid character ${quoteChar(c)} ${context}`);

  const str = () => {
    pos++; // opening quote
    for (;;) {
      const c = peek();
      pos++;
      if (c === '"') return;
      if (c < ' ') invalid(c, 'in string literal');
      if (c === '\\') {
        const e = peek();
        pos++;
        if (e === 'u') {
          for (let i = 0; i < 4; i++) {
            const h = peek();
            if (!/[0-9a-fA-F]/.test(h)) invalid(h, 'in \\u hexadecimal character escape');
            pos++;
          }
        } else if (!'"\\/bfnrt'.includes(e)) invalid(e, 'in string escape code');
      }
    }
  };
  const digits = (context: string) => {
    const c = peek();
    if (!/[0-9]/.test(c)) invalid(c, context);
    while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
  };
  const num = () => {
    if (text[pos] === '-') pos++;
    if (peek() === '0') pos++;
    else digits('in numeric literal');
    if (text[pos] === '.') {
      pos++;
      digits('after decimal point in numeric literal');
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++;
      if (text[pos] === '+' || text[pos] === '-') pos++;
      digits('in exponent of numeric literal');
    }
  };
  const literal = (word: string) => {
    for (let i = 0; i < word.length; i++) {
      const c = peek();
      if (c !== word[i]) invalid(c, `in literal ${word} (expecting ${quoteChar(word[i]!)})`);
      pos++;
    }
  };
  const value = (): void => {
    ws();
    const c = peek();
    if (c === '{') {
      pos++;
      ws();
      if (peek() === '}') return void pos++;
      for (;;) {
        ws();
        if (peek() !== '"') invalid(peek(), 'looking for beginning of object key string');
        str();
        ws();
        if (peek() !== ':') invalid(peek(), 'after object key');
        pos++;
        value();
        ws();
        const d = peek();
        pos++;
        if (d === '}') return;
        if (d !== ',') invalid(d, 'after object key:value pair');
      }
    }
    if (c === '[') {
      pos++;
      ws();
      if (peek() === ']') return void pos++;
      for (;;) {
        value();
        ws();
        const d = peek();
        pos++;
        if (d === ']') return;
        if (d !== ',') invalid(d, 'after array element');
      }
    }
    if (c === '"') return str();
    if (c === '-' || /[0-9]/.test(c)) return num();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    invalid(c, 'looking for beginning of value');
  };

  try {
    value();
    ws();
    if (pos < text.length) invalid(text[pos]!, 'after top-level value');
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return message;
  }
  return 'invalid JSON';
}
