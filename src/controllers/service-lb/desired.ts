/**
 * @module The pure half of the service-lb controller: which Services it serves, the ingress
 * addresses they get (every Ready, schedulable node's InternalIP, as k3s ServiceLB), and which
 * Service holds a port when two LoadBalancer Services ask for the same port and protocol (on
 * node addresses only one can; the other stays Pending, as a ServiceLB pod would).
 */
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';

export type Svc = Service & KubeObject;
export type N = Node & KubeObject;

/** The class this controller implements; Services naming another class are left alone. */
export const loadBalancerClass = 'skiff.dev/service-lb';
export const cleanupFinalizer = 'service.kubernetes.io/load-balancer-cleanup';

/** Upstream's wantsLoadBalancer, plus the class check every implementation does. */
export function wantsLoadBalancer(s: Svc): boolean {
  if (s.spec?.type !== 'LoadBalancer') return false;
  const cls = s.spec.loadBalancerClass;
  return cls === undefined || cls === '' || cls === loadBalancerClass;
}

export function nodeIsEligible(n: N): boolean {
  if (n.spec?.unschedulable) return false;
  if (n.metadata?.deletionTimestamp) return false;
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Sorted InternalIPs of the eligible nodes, each once. */
export function nodeAddresses(nodes: readonly N[]): string[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (!nodeIsEligible(n)) continue;
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && a.address) ips.add(a.address);
  }
  return [...ips].sort(compareIPs);
}

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function ingressFor(ips: readonly string[]): LoadBalancerIngress[] {
  return ips.map((ip) => ({ ip, ipMode: 'VIP' }));
}

const portKeys = (s: Svc): string[] => (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
const hasIngress = (s: Svc): boolean => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0;

/**
 * Whether `a` keeps a contested port over `b`: a Service already serving keeps it; otherwise
 * the older one (then by namespace/name), so the answer never flips between syncs.
 */
function precedes(a: Svc, b: Svc): boolean {
  if (hasIngress(a) !== hasIngress(b)) return hasIngress(a);
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb;
  return `${a.metadata?.namespace}/${a.metadata?.name}` < `${b.metadata?.namespace}/${b.metadata?.name}`;
}

export interface PortConflict {
  port: string;
  holder: string;
}

/** The first port of `svc` that another served LoadBalancer Service holds, if any. */
export function findConflict(svc: Svc, all: readonly Svc[]): PortConflict | undefined {
  const mine = new Set(portKeys(svc));
  for (const other of all) {
    if (other.metadata?.uid === svc.metadata?.uid || other.metadata?.deletionTimestamp || !wantsLoadBalancer(other)) continue;
    const shared = portKeys(other).find((k) => mine.has(k));
    if (shared && precedes(other, svc)) return { port: shared, holder: `${other.metadata?.namespace}/${other.metadata?.name}` };
  }
  return undefined;
}

export function sameIngress(a: readonly LoadBalancerIngress[] | undefined, b: readonly LoadBalancerIngress[]): boolean {
  return JSON.stringify((a ?? []).map((i) => [i.ip, i.hostname, i.ipMode])) === JSON.stringify(b.map((i) => [i.ip, i.hostname, i.ipMode]));
}
