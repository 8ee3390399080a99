/**
 * @module The Kubernetes CEL format library (upstream apiserver/pkg/cel/library/format.go):
 * `format.dns1123Label()` … `format.datetime()` and `format.named(name)` give a Format whose
 * `validate(s)` is `optional.none()` for a valid string, else the list of problems (the
 * same messages as Kubernetes' name and label validation).
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from '../../../../api/validation/names.ts';
import { requestURIError } from './urls.ts';

export const formatType = 'kubernetes.NamedFormat';

export class NamedFormat {
  readonly #validate: (s: string) => string[];
  constructor(validate: (s: string) => string[]) {
    this.#validate = validate;
  }
  validate(s: string): string[] {
    return this.#validate(s);
  }
}

/** The receiver of `format.x()`: upstream's dotted function names, as a constant. */
export class FormatLibrary {}

const dns1035Re = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
function dns1035LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1035Re.test(s))
    errs.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  return errs;
}

/** NameIsDNS…(s, prefix=true): a generateName prefix may end in '-'. */
const asPrefix = (f: (s: string) => string[]) => (s: string) => f(s.length > 1 && s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
const check = (ok: (s: string) => boolean, msg: string) => (s: string) => (ok(s) ? [] : [msg]);

const validDate = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};
const isDate = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
};
const isDateTime = (s: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(s);
  return !!m && isDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
};

export const formats: Record<string, (s: string) => string[]> = {
  dns1123Label: dns1123LabelErrors,
  dns1123Subdomain: dns1123SubdomainErrors,
  dns1035Label: dns1035LabelErrors,
  qualifiedName: qualifiedNameErrors,
  dns1123LabelPrefix: asPrefix(dns1123LabelErrors),
  dns1123SubdomainPrefix: asPrefix(dns1123SubdomainErrors),
  dns1035LabelPrefix: asPrefix(dns1035LabelErrors),
  labelValue: labelValueErrors,
  uri: (s) => {
    const e = requestURIError(s);
    return e === undefined ? [] : [e];
  },
  uuid: check((s) => /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i.test(s), 'does not match the UUID format'),
  byte: check((s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s), 'invalid base64'),
  date: check(isDate, 'invalid date'),
  datetime: check(isDateTime, 'invalid datetime'),
};

const F = formatType;

export function registerFormat(env: Environment): void {
  env.registerType(F, NamedFormat);
  env.registerType('kubernetes.format', FormatLibrary);
  env.registerConstant('format', 'kubernetes.format', new FormatLibrary());
  const named = new Map(Object.entries(formats).map(([k, v]) => [k, new NamedFormat(v)]));
  for (const [name, f] of named) env.registerFunction(`kubernetes.format.${name}(): ${F}`, () => f);
  env.registerFunction(`kubernetes.format.named(string): optional<${F}>`, (_lib: FormatLibrary, name: string) => {
    const f = named.get(name);
    return f ? Optional.of(f) : Optional.none();
  });
  env.registerFunction(`${F}.validate(string): optional<list<string>>`, (f: NamedFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length ? Optional.of(errs) : Optional.none();
  });
}
