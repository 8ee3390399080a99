/**
 * @module A pod's resolver config from `dnsPolicy` and `dnsConfig`, as the kubelet's
 * dns.GetPodDNS: ClusterFirst (default) → the cluster DNS, search `<ns>.svc.<domain>
 * svc.<domain> <domain>` plus the host's, `ndots:5` (host's config when no cluster DNS is
 * configured, or with hostNetwork); ClusterFirstWithHostNet → cluster even with hostNetwork;
 * Default → the host's; None → `dnsConfig` only. `dnsConfig` is appended, duplicates dropped,
 * options merged by name; at most 3 nameservers and 32 search domains (upstream limits).
 */
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface ResolverConfig { servers: string[]; searches: string[]; options: string[] }
export interface ClusterDnsSettings { clusterDNS: string[]; clusterDomain: string; hostResolvConf?: string }

export function parseResolvConf(text: string): ResolverConfig {
  const out: ResolverConfig = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const f = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) out.servers.push(f[1]);
    else if (f[0] === 'search' || f[0] === 'domain') out.searches = f.slice(1).filter(Boolean);
    else if (f[0] === 'options') out.options.push(...f.slice(1).filter(Boolean));
  }
  return out;
}

let hostCache: string | undefined;
const hostResolv = (s: ClusterDnsSettings) => s.hostResolvConf ?? (hostCache ??= readText('/etc/resolv.conf'));
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const unique = (xs: string[]) => [...new Set(xs)];

/** Pod options override host/cluster ones of the same name (`ndots:2` replaces `ndots:5`). */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0]!, o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The resolv.conf content for a pod; undefined means "copy the host's file unchanged". */
export function podDnsConfig(pod: Pod, s: ClusterDnsSettings | undefined): ResolverConfig | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const hostNet = !!pod.spec?.hostNetwork;
  let kind: 'cluster' | 'host' | 'none' =
    policy === 'None' ? 'none' : policy === 'Default' ? 'host' : policy === 'ClusterFirstWithHostNet' ? 'cluster' : hostNet ? 'host' : 'cluster';
  if (kind === 'cluster' && !s?.clusterDNS.length) kind = 'host';
  const extra = pod.spec?.dnsConfig;
  if (kind === 'host' && !extra) return undefined;
  const host = kind === 'none' ? { servers: [], searches: [], options: [] } : parseResolvConf(s ? hostResolv(s) : readText('/etc/resolv.conf'));
  let cfg: ResolverConfig = host;
  if (kind === 'cluster' && s) {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = s.clusterDomain;
    const searches = d ? [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches] : host.searches;
    cfg = { servers: [...s.clusterDNS], searches: unique(searches), options: ['ndots:5'] };
  }
  if (extra) cfg = {
    servers: unique([...cfg.servers, ...(extra.nameservers ?? [])]),
    searches: unique([...cfg.searches, ...(extra.searches ?? [])]),
    options: mergeOptions(cfg.options, extra.options ?? []),
  };
  return { servers: cfg.servers.slice(0, 3), searches: cfg.searches.slice(0, 32), options: cfg.options };
}
