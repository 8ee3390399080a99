/**
 * @module Canary traffic splitting with ingress-nginx's annotations and precedence: an
 * Ingress annotated `nginx.ingress.kubernetes.io/canary: "true"` sends a share of the main
 * Ingress's traffic for the same host and path to its own backend. By header
 * (`canary-by-header`: `always`/`never`, or equal to `canary-by-header-value`), then by cookie
 * (`canary-by-cookie`: `always`/`never`), then by weight (`canary-weight` out of
 * `canary-weight-total`, default 100).
 */

const prefix = 'nginx.ingress.kubernetes.io/';

export interface CanaryPolicy {
  header?: string;
  headerValue?: string;
  cookie?: string;
  weight: number;
  weightTotal: number;
}

export function isCanary(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[`${prefix}canary`] === 'true';
}

export function canaryPolicy(annotations: Record<string, string> = {}): CanaryPolicy {
  const num = (k: string, dflt: number) => {
    const v = Number(annotations[`${prefix}${k}`]);
    return annotations[`${prefix}${k}`] !== undefined && Number.isFinite(v) && v >= 0 ? Math.floor(v) : dflt;
  };
  const weightTotal = num('canary-weight-total', 100) || 100;
  return {
    header: annotations[`${prefix}canary-by-header`] || undefined,
    headerValue: annotations[`${prefix}canary-by-header-value`] || undefined,
    cookie: annotations[`${prefix}canary-by-cookie`] || undefined,
    weight: Math.min(num('canary-weight', 0), weightTotal),
    weightTotal,
  };
}

export interface CanaryRequest {
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
}

/** Whether this request goes to the canary; `random` returns [0, 1). */
export function routeToCanary(p: CanaryPolicy, req: CanaryRequest, random: () => number = Math.random): boolean {
  if (p.header) {
    const v = req.header(p.header);
    if (v !== undefined) {
      if (p.headerValue) {
        if (v === p.headerValue) return true;
      } else if (v === 'always') return true;
      else if (v === 'never') return false;
    }
  }
  if (p.cookie) {
    const v = req.cookie(p.cookie);
    if (v === 'always') return true;
    if (v === 'never') return false;
  }
  if (p.weight <= 0) return false;
  // ingress-nginx: math.random(total) <= weight, i.e. weight out of total requests.
  return Math.floor(random() * p.weightTotal) < p.weight;
}

/** Parses a Cookie header into a lookup. */
export function cookieLookup(header: string | undefined): (name: string) => string | undefined {
  const jar = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) jar.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return (name) => jar.get(name);
}
