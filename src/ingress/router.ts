/**
 * @module The routing table, rebuilt from the served Ingresses whenever one changes (as
 * ingress-nginx regenerates its configuration): rules merged across Ingresses per host (the
 * oldest Ingress wins a host+path both claim), canary Ingresses attached to the main route of
 * the same host and path, TLS hosts with their Secret, and the default backend. Lookups are
 * exact host → `*.` wildcard (one label) → rules without a host, then longest path.
 */
import type { Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.ts';
import { canaryPolicy, isCanary, type CanaryPolicy } from './canary.ts';
import { comparePaths, hostMatches, matchTypeOf, pathMatches, type MatchType } from './paths.ts';

export interface ServiceBackend {
  namespace: string;
  service: string;
  port: { number?: number; name?: string };
}

export interface Route {
  /** `namespace/name` of the Ingress the route comes from (metrics, annotations). */
  ingress: string;
  annotations: Record<string, string>;
  /** Undefined for a resource backend, which this controller does not serve (503). */
  backend?: ServiceBackend;
  canary?: { ingress: string; policy: CanaryPolicy; backend?: ServiceBackend };
}

interface PathRule {
  path: string;
  type: MatchType;
  route: Route;
}

export interface TlsTarget {
  namespace: string;
  secretName: string;
}

type Ing = Ingress & KubeObject;

function backendOf(ns: string, b: IngressBackend | undefined): ServiceBackend | undefined {
  if (!b?.service) return undefined;
  return { namespace: ns, service: b.service.name, port: { number: b.service.port?.number, name: b.service.port?.name } };
}

function keyOfIng(ing: Ing): string {
  return `${ing.metadata?.namespace ?? ''}/${ing.metadata?.name ?? ''}`;
}

/** Oldest first, then by namespace/name, so conflicts resolve the same way every time. */
function byAge(a: Ing, b: Ing): number {
  return (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || keyOfIng(a).localeCompare(keyOfIng(b));
}

export class RouteTable {
  private readonly hosts = new Map<string, PathRule[]>();
  private readonly tls = new Map<string, TlsTarget>();
  private defaultRoute?: Route;

  constructor(ingresses: Ing[]) {
    const sorted = [...ingresses].sort(byAge);
    for (const ing of sorted.filter((i) => !isCanary(i.metadata?.annotations))) this.addMain(ing);
    for (const ing of sorted.filter((i) => isCanary(i.metadata?.annotations))) this.addCanary(ing);
    for (const rules of this.hosts.values()) rules.sort(comparePaths);
  }

  private addMain(ing: Ing): void {
    const ns = ing.metadata?.namespace ?? '';
    const annotations = ing.metadata?.annotations ?? {};
    const route = (b: IngressBackend | undefined): Route => ({ ingress: keyOfIng(ing), annotations, backend: backendOf(ns, b) });
    if (ing.spec?.defaultBackend && !this.defaultRoute) this.defaultRoute = route(ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const list = this.hosts.get(host) ?? [];
      this.hosts.set(host, list);
      for (const p of rule.http?.paths ?? []) {
        const type = matchTypeOf(p.pathType);
        const path = p.path || '/';
        if (list.some((r) => r.path === path && r.type === type)) continue;
        list.push({ path, type, route: route(p.backend) });
      }
    }
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts ?? []) if (!this.tls.has(h.toLowerCase())) this.tls.set(h.toLowerCase(), { namespace: ns, secretName: t.secretName });
    }
  }

  private addCanary(ing: Ing): void {
    const ns = ing.metadata?.namespace ?? '';
    const canary = (b: IngressBackend | undefined) => ({ ingress: keyOfIng(ing), policy: canaryPolicy(ing.metadata?.annotations), backend: backendOf(ns, b) });
    if (ing.spec?.defaultBackend && this.defaultRoute && !this.defaultRoute.canary) this.defaultRoute.canary = canary(ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      const list = this.hosts.get((rule.host ?? '').toLowerCase());
      for (const p of rule.http?.paths ?? []) {
        // A canary without a main Ingress for the same host and path is ignored, as upstream.
        const main = list?.find((r) => r.path === (p.path || '/') && r.type === matchTypeOf(p.pathType));
        if (main && !main.route.canary) main.route.canary = canary(p.backend);
      }
    }
  }

  private rulesFor(host: string): PathRule[][] {
    const out: PathRule[][] = [];
    const exact = this.hosts.get(host);
    if (exact) out.push(exact);
    for (const [pattern, rules] of this.hosts) if (pattern.startsWith('*.') && hostMatches(pattern, host)) out.push(rules);
    const any = this.hosts.get('');
    if (any && host !== '') out.push(any);
    return out;
  }

  /** The route for a request, or undefined (404). */
  match(host: string, path: string): Route | undefined {
    for (const rules of this.rulesFor(host)) {
      const hit = rules.find((r) => pathMatches(r.type, r.path, path));
      if (hit) return hit.route;
    }
    return this.defaultRoute;
  }

  /** Every service backend a route (main, canary or default) can send to. */
  backends(): ServiceBackend[] {
    const out: ServiceBackend[] = [];
    const add = (r?: Route) => {
      if (r?.backend) out.push(r.backend);
      if (r?.canary?.backend) out.push(r.canary.backend);
    };
    add(this.defaultRoute);
    for (const rules of this.hosts.values()) for (const r of rules) add(r.route);
    return out;
  }

  /** Every TLS Secret the table refers to. */
  tlsTargets(): TlsTarget[] {
    return [...this.tls.values()];
  }

  /** The TLS Secret for a server name (exact, then a `*.` wildcard entry). */
  tlsFor(host: string): TlsTarget | undefined {
    const exact = this.tls.get(host);
    if (exact) return exact;
    for (const [pattern, t] of this.tls) if (pattern.startsWith('*.') && hostMatches(pattern, host)) return t;
    return undefined;
  }
}
