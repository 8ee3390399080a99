/**
 * @module Label selectors, with upstream's string syntax (apimachinery pkg/labels):
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, comma = AND.
 * Parse errors are 400 BadRequest carrying upstream's messages. `selectorFromLabelSelector`
 * converts a metav1 LabelSelector, keeping upstream's distinction: an absent selector matches
 * nothing, an empty one matches everything.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { StatusError } from './status.ts';

/** Upstream's selection.Operator spellings. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for set operators; one value for `=`, `==`, `!=`, `gt`, `lt`. */
  readonly values: readonly string[];
}

export interface LabelRequirements {
  /** ANDed, sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** No requirements: every object matches (`labels.Everything()`). */
  readonly everything: boolean;
  /** The nil selector: no object matches (`labels.Nothing()`). */
  readonly nothing: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The value the selector pins `key` to with `=`, `==` or a one-value `in`. */
  requiresExactMatch(key: string): string | undefined;
  /** Upstream's canonical form, e.g. `app=web,tier in (a,b),!legacy`. */
  toString(): string;
}

// ---- validation (apimachinery pkg/util/validation) ---------------------------------------

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123SubdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}
const maxLen = (n: number) => `must be no more than ${n} characters`;

/** Upstream's IsQualifiedName: the rules for label keys. Returns the problems, if any. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push(`prefix part ${maxLen(253)}`);
      if (!dns1123SubdomainRe.test(prefix))
        errs.push(`prefix part ${regexError(dns1123SubdomainMsg, dns1123SubdomainFmt, 'example.com')}`);
    }
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!qualifiedNameRe.test(name))
    errs.push(`name part ${regexError(qualifiedNameMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Upstream's IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** field.Invalid(...).Error(): `<path>: Invalid value: "<v>": <detail>`. */
const invalidMessage = (path: string, value: string, detail: string) =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

class SelectorSyntaxError extends Error {}

function keyError(key: string): string | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length ? invalidMessage('', key, errs.join('; ')) : undefined;
}

/** NewRequirement: validates and builds one requirement; throws SelectorSyntaxError. */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const k = keyError(key);
  if (k) errs.push(k);
  if ((operator === 'in' || operator === 'notin') && values.length === 0)
    errs.push(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`);
  if ((operator === '=' || operator === '==' || operator === '!=') && values.length !== 1)
    errs.push(`values: Invalid value: ${JSON.stringify(values)}: exact-match compatibility requires one single value`);
  if ((operator === 'exists' || operator === '!') && values.length !== 0)
    errs.push(`values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
  if (operator === 'gt' || operator === 'lt') {
    if (values.length !== 1)
      errs.push(`values: Invalid value: ${JSON.stringify(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
    values.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v))
        errs.push(invalidMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalidMessage(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length === 1) throw new SelectorSyntaxError(errs[0]);
  if (errs.length > 1) throw new SelectorSyntaxError(`[${errs.join(', ')}]`);
  return { key, operator, values };
}

// ---- the selector ----------------------------------------------------------------------

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value) || r.values.length !== 1) return false;
      const [a, b] = [BigInt(value), BigInt(r.values[0]!)];
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

function makeSelector(reqs: LabelRequirement[], nothing = false): LabelRequirements {
  const requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements,
    everything: !nothing && requirements.length === 0,
    nothing,
    matches(labels) {
      if (nothing) return false;
      const l = labels ?? {};
      return requirements.every((r) => requirementMatches(r, l));
    },
    requiresExactMatch(key) {
      const r = requirements.find((x) => x.key === key);
      if (!r || !(r.operator === '=' || r.operator === '==' || r.operator === 'in') || r.values.length !== 1) return undefined;
      return r.values[0];
    },
    toString: () => requirements.map(requirementString).join(','),
  };
}

export const everythingSelector = (): LabelRequirements => makeSelector([]);
export const nothingSelector = (): LabelRequirements => makeSelector([], true);

/** A selector matching exactly the given labels (`labels.SelectorFromSet`); empty matches all. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelRequirements {
  return makeSelector(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

// ---- lexer ------------------------------------------------------------------------------

type Tok = 'end' | 'error' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item {
  tok: Tok;
  lit: string;
}
const symbolTokens = new Set(['(', ')', ',', '!', '==', '=', '>', '<', '!=']);
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that still forms a token.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        if (symbolTokens.has(buf)) last = { tok: buf as Tok, lit: buf };
        else if (last) break;
        pos++;
      }
      if (!last) {
        items.push({ tok: 'error', lit: `error expected: keyword found '${buf}'` });
        items.push({ tok: 'end', lit: '' });
        return items;
      }
      items.push(last);
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buf += s[pos++];
    items.push({ tok: buf === 'in' ? 'in' : buf === 'notin' ? 'notin' : 'id', lit: buf });
  }
}

// ---- parser -----------------------------------------------------------------------------

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In a values context the keywords `in`/`notin` are plain identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[this.pos]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const t = this.next(true);
      if (t.tok === 'end') return reqs;
      if (t.tok !== ',') throw new SelectorSyntaxError(`found '${t.lit}', expected: ',' or 'end of string'`);
      const after = this.peek(true);
      if (after.tok !== 'id' && after.tok !== '!')
        throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    let t = this.next(true);
    if (t.tok === '!') {
      negated = true;
      t = this.next(true);
    }
    if (t.tok !== 'id') throw new SelectorSyntaxError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = keyError(key);
    if (ke) throw new SelectorSyntaxError(ke);
    // `!key` never takes an operator; whatever follows must be a separator (checked by parse()).
    if (negated) return newRequirement(key, '!', []);
    const la = this.peek(true).tok;
    if (la === 'end' || la === ',') return newRequirement(key, 'exists', []);
    const op = this.next(false);
    const operators: Partial<Record<Tok, LabelOperator>> = {
      in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt',
    };
    const operator = operators[op.tok];
    if (!operator) throw new SelectorSyntaxError(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, operator, values);
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.next(true);
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',')
      throw new SelectorSyntaxError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const t = this.next(true);
      if (t.tok === 'id') {
        set.add(t.lit);
        const la = this.peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') break;
        throw new SelectorSyntaxError(`found '${la.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (set.size === 0) set.add(''); // "(,"
        const la = this.peek(true);
        if (la.tok === ')') {
          set.add(''); // ",)"
          break;
        }
        if (la.tok === ',') {
          this.next(true);
          set.add(''); // ",,"
        }
      } else throw new SelectorSyntaxError(`found '${t.lit}', expected: ',', or identifier`);
    }
    if (this.next(true).tok !== ')') throw new SelectorSyntaxError(`found '${first.lit}', expected: ')'`);
    return [...set].sort();
  }

  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.tok === 'end' || la.tok === ',') return [''];
    const t = this.next(true);
    if (t.tok === 'id') return [t.lit];
    throw new SelectorSyntaxError(`found '${t.lit}', expected: identifier`);
  }
}

/** Parses a `labelSelector` query parameter. Throws 400 BadRequest on syntax or validation errors. */
export function parseLabelSelector(s: string): LabelRequirements {
  try {
    return makeSelector(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw StatusError.badRequest(e.message);
    throw e;
  }
}

/**
 * metav1.LabelSelectorAsSelector: `undefined`/`null` matches nothing, `{}` matches everything,
 * otherwise matchLabels AND matchExpressions. Invalid selectors are 400 BadRequest.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): LabelRequirements {
  if (!ls) return nothingSelector();
  const reqs: LabelRequirement[] = [];
  const ops: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  try {
    for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
    for (const expr of ls.matchExpressions ?? []) {
      const op = ops[expr.operator];
      if (!op) throw new SelectorSyntaxError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
    }
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw StatusError.badRequest(e.message);
    throw e;
  }
  return makeSelector(reqs);
}
