/**
 * @module The Kubernetes CEL URL library (upstream apiserver/pkg/cel/library/urls.go): `url`,
 * `isURL` and the getters. Parsing follows Go's net/url, not WHATWG: the text must be an
 * absolute URI or an absolute path (ParseRequestURI), hosts keep their case and no
 * normalisation happens, so getters return what the text says.
 */
import type { Environment } from '@marcbachmann/cel-js';

export const urlType = 'kubernetes.URL';

class UrlError extends Error {}

const fail = (raw: string, msg: string): never => {
  throw new UrlError(`parse ${JSON.stringify(raw)}: ${msg}`);
};
const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);
const validOptionalPort = (p: string) => p === '' || (p[0] === ':' && /^\d*$/.test(p.slice(1)));

/** Go's unescape: every `%` starts a two-digit escape; `plus` maps `+` to space (query mode). */
function unescape(s: string, plus = false): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(plus ? s.replace(/\+/g, ' ') : s);
  } catch {
    // Bytes that are not UTF-8: keep Go's byte semantics approximately.
    return (plus ? s.replace(/\+/g, ' ') : s).replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** Characters a path may carry unescaped (Go's validEncoded plus unreserved). */
const pathSafe = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/[\]]$/;
const escapePath = (p: string) =>
  [...new TextEncoder().encode(p)].map((b) => { const c = String.fromCharCode(b); return b < 0x80 && /^[A-Za-z0-9\-._~$&+,/:;=@]$/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`; }).join('');

export class URLValue {
  scheme = '';
  opaque = '';
  host = '';
  path = '';
  rawPath = '';
  rawQuery = '';

  celEquals(o: unknown): boolean {
    return o instanceof URLValue && o.toString() === this.toString();
  }

  toString(): string {
    const auth = this.host || this.scheme ? `//${this.host}` : '';
    return `${this.scheme ? `${this.scheme}:` : ''}${this.opaque || auth + this.escapedPath()}${this.rawQuery ? `?${this.rawQuery}` : ''}`;
  }

  hostname(): string {
    const [h] = splitHostPort(this.host);
    return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  }

  port(): string {
    return splitHostPort(this.host)[1];
  }

  escapedPath(): string {
    const raw = this.rawPath;
    if (raw && [...raw].every((c, i) => pathSafe.test(c) || (c === '%' && isHex(raw[i + 1] ?? '') && isHex(raw[i + 2] ?? '')) ) && unescape(raw) === this.path)
      return raw;
    return this.path === '*' ? '*' : escapePath(this.path);
  }

  query(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const part of this.rawQuery.split('&')) {
      if (!part || part.includes(';')) continue;
      const eq = part.indexOf('=');
      const k = unescape(eq < 0 ? part : part.slice(0, eq), true);
      const v = unescape(eq < 0 ? '' : part.slice(eq + 1), true);
      if (k === undefined || v === undefined) continue;
      out.set(k, [...(out.get(k) ?? []), v]);
    }
    return out;
  }
}

function splitHostPort(host: string): [string, string] {
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon)) && !host.slice(colon).includes(']')) return [host.slice(0, colon), host.slice(colon + 1)];
  return [host, ''];
}

function parseHost(raw: string, host: string): string {
  if (host.startsWith('[')) {
    const end = host.lastIndexOf(']');
    if (end < 0) fail(raw, "missing ']' in host");
    const colonPort = host.slice(end + 1);
    if (!validOptionalPort(colonPort)) fail(raw, `invalid port ${JSON.stringify(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1 && !validOptionalPort(host.slice(i))) fail(raw, `invalid port ${JSON.stringify(host.slice(i))} after host`);
  }
  for (const c of host) if (c < '\x80' && !/[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%]/.test(c)) fail(raw, `invalid character ${JSON.stringify(c)} in host name`);
  const h = unescape(host);
  if (h === undefined) fail(raw, `invalid URL escape ${JSON.stringify(host.slice(host.indexOf('%'), host.indexOf('%') + 3))}`);
  return h!;
}

/** Go's url.parse(raw, viaRequest): no fragment handling here (the caller splits it). */
function parse(raw: string, full: string, viaRequest: boolean): URLValue {
  if (/[\x00-\x1f\x7f]/.test(full)) fail(full, 'net/url: invalid control character in URL');
  if (raw === '' && viaRequest) fail(full, 'empty url');
  const u = new URLValue();
  let rest = raw;
  const sm = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(raw);
  if (raw.startsWith(':')) fail(full, 'missing protocol scheme');
  if (sm) {
    u.scheme = sm[1].toLowerCase();
    rest = raw.slice(sm[0].length);
  }
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else if (rest.includes('?')) [rest, u.rawQuery] = [rest.slice(0, rest.indexOf('?')), rest.slice(rest.indexOf('?') + 1)];
  if (!rest.startsWith('/')) {
    if (u.scheme) {
      u.opaque = rest;
      return u;
    }
    if (viaRequest) fail(full, 'invalid URI for request');
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) fail(full, 'first path segment in URL cannot contain colon');
  }
  if ((u.scheme || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    u.host = parseHost(full, at < 0 ? authority : authority.slice(at + 1));
  }
  const p = unescape(rest);
  if (p === undefined) fail(full, `invalid URL escape ${JSON.stringify(rest.slice(rest.indexOf('%'), rest.indexOf('%') + 3))}`);
  u.path = p!;
  u.rawPath = rest;
  return u;
}

/** url(): validate as a request URI, then parse leniently so a fragment is split off. */
export function parseURL(s: string): URLValue {
  try {
    parse(s, s, true);
    const hash = s.indexOf('#');
    return parse(hash < 0 ? s : s.slice(0, hash), s, false);
  } catch (e) {
    if (e instanceof UrlError) throw new Error(`URL parse error during conversion from string: ${e.message}`);
    throw e;
  }
}

/** Go's url.ParseRequestURI error text (`parse "x": …`), or undefined when `s` parses. */
export function requestURIError(s: string): string | undefined {
  try {
    parse(s, s, true);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const isURL = (s: string): boolean => requestURIError(s) === undefined;

const U = urlType;

export function registerURLs(env: Environment): void {
  env.registerType(U, URLValue);
  env.registerFunction(`url(string): ${U}`, parseURL);
  env.registerFunction('isURL(string): bool', isURL);
  env.registerFunction(`${U}.getScheme(): string`, (u: URLValue) => u.scheme);
  env.registerFunction(`${U}.getHost(): string`, (u: URLValue) => u.host);
  env.registerFunction(`${U}.getHostname(): string`, (u: URLValue) => u.hostname());
  env.registerFunction(`${U}.getPort(): string`, (u: URLValue) => u.port());
  env.registerFunction(`${U}.getEscapedPath(): string`, (u: URLValue) => u.escapedPath());
  env.registerFunction(`${U}.getQuery(): map<string, list<string>>`, (u: URLValue) => u.query());
  env.registerOperator(`${U} == ${U}`, (a: URLValue, b: URLValue) => a.celEquals(b));
}
