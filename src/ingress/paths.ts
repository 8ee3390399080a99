/**
 * @module Ingress path matching as the networking/v1 API defines it (and ingress-nginx serves
 * it): `Exact` compares the whole path; `Prefix` compares `/`-separated elements, so `/foo`
 * matches `/foo` and `/foo/bar` but not `/foobar`, and a trailing `/` is ignored;
 * `ImplementationSpecific` is treated as `Prefix`.
 */

export type MatchType = 'Exact' | 'Prefix';

export function matchTypeOf(pathType: string | undefined): MatchType {
  return pathType === 'Exact' ? 'Exact' : 'Prefix';
}

/** The path without its query string. */
export function requestPath(url: string): string {
  const q = url.search(/[?#]/);
  const p = q < 0 ? url : url.slice(0, q);
  return p.startsWith('/') ? p : `/${p}`;
}

export function pathMatches(type: MatchType, rulePath: string, path: string): boolean {
  const rp = rulePath || '/';
  if (type === 'Exact') return rp === path;
  const prefix = rp.replace(/\/+$/, '');
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Longer paths first; at equal length `Exact` before `Prefix` (the more specific rule wins). */
export function comparePaths(a: { path: string; type: MatchType }, b: { path: string; type: MatchType }): number {
  const la = a.path.replace(/\/+$/, '').length;
  const lb = b.path.replace(/\/+$/, '').length;
  if (la !== lb) return lb - la;
  if (a.type !== b.type) return a.type === 'Exact' ? -1 : 1;
  return 0;
}

/** Whether `host` is matched by rule host `pattern` (exact, or `*.x` one label deep). */
export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** The request's host name: lower case, without port. */
export function requestHost(hostHeader: string | undefined): string {
  const h = (hostHeader ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.indexOf(':');
  return (i < 0 ? h : h.slice(0, i)).replace(/\.$/, '');
}
