/**
 * @module Field selectors, with upstream's syntax (apimachinery pkg/fields): `f=v`, `f==v`,
 * `f!=v`, comma = AND, and `\,` `\=` `\\` escapes in values. Which fields a resource supports
 * is the caller's business (the registry rejects unknown ones).
 */
import { StatusError } from './status.ts';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is normalised to `=`. */
  readonly op: '=' | '!=';
  /** Unescaped. */
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** No requirements: every object matches. */
  readonly empty: boolean;
  /** `get` returns a field's value, or undefined when absent (compared as ""). */
  matches(get: (field: string) => string | undefined): boolean;
  /** The value `field` is pinned to with `=`, if any (upstream RequiresExactMatch). */
  exactMatch(field: string): string | undefined;
  /** Upstream's canonical form: terms sorted, values escaped. */
  toString(): string;
}

/** Escapes `\`, `,` and `=` so a value survives a round trip through the syntax. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw StatusError.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v, i.e. as its code point.
    else if (c === ',' || c === '=')
      throw StatusError.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw StatusError.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not backslash-escaped; escapes are kept for unescapeValue. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; no escaping on the left-hand side. */
function splitTerm(term: string): [string, '!=' | '==' | '=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function makeSelector(requirements: FieldRequirement[]): FieldSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches(get) {
      return requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.op === '='));
    },
    exactMatch(field) {
      return requirements.find((r) => r.field === field && r.op === '=')?.value;
    },
    toString: () => requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(','),
  };
}

/** Parses a `fieldSelector` query parameter; 400 BadRequest with upstream's message on errors. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw StatusError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, rhs] = split;
    requirements.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeValue(rhs) });
  }
  return makeSelector(requirements);
}

/** A selector requiring each field to equal the given value (`fields.SelectorFromSet`). */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return makeSelector(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, op: '=' as const, value: set[field]! })),
  );
}
