/**
 * @module Name, label and annotation rules shared by every kind (apimachinery
 * util/validation and api/validation/objectmeta).
 */
import { invalid, tooLong, type FieldError } from '../field-error.ts';

const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePartRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const dns1123LabelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123SubdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Returns problems with `value` as a DNS-1123 label (max 63), empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1123LabelRe.test(value)) errs.push(dns1123LabelMsg);
  return errs;
}

/** Returns problems with `value` as a DNS-1123 subdomain (max 253), empty when valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!dns1123SubdomainRe.test(value)) errs.push(dns1123SubdomainMsg);
  return errs;
}

/** Path segment names (used by a few kinds): anything but `.`, `..`, `/` and `%`. */
export function pathSegmentErrors(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  for (const bad of ['/', '%']) if (value.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}

/** Label/annotation keys: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 chars. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNamePartRe.test(name))
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  return errs;
}

export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!labelValueRe.test(value))
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  return errs;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const e of qualifiedNameErrors(k)) out.push(invalid(path, k, e));
    if (typeof v !== 'string') out.push(invalid(`${path}.${k}`, v, 'must be a string'));
    else for (const e of labelValueErrors(v)) out.push(invalid(path, v, e));
  }
  return out;
}

const totalAnnotationSizeLimit = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const e of qualifiedNameErrors(k.toLowerCase())) out.push(invalid(path, k, e));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > totalAnnotationSizeLimit) out.push(tooLong(path, '', totalAnnotationSizeLimit));
  return out;
}

/** Validates a DNS-1123 label field (service names, container names, port names…). */
export function validateDNS1123Label(value: string | undefined, path: string): FieldError[] {
  if (value === undefined) return [];
  return dns1123LabelErrors(value).map((e) => invalid(path, value, e));
}

export function validateDNS1123Subdomain(value: string | undefined, path: string): FieldError[] {
  if (value === undefined) return [];
  return dns1123SubdomainErrors(value).map((e) => invalid(path, value, e));
}
