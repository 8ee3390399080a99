/**
 * @module The service proxy's desired state: a pure function from Services, EndpointSlices and
 * this proxy's Node to the `ProxyTable` every backend programs. Follows upstream kube-proxy
 * (pkg/proxy servicechangetracker, endpointslicecache, topology.go CategorizeEndpoints): which
 * Services are proxied, how slice ports are matched to Service ports by name and protocol,
 * endpoint de-duplication across slices, the serving+terminating fallback and the Local
 * traffic policies. Topology hints are not applied (Skiff's slices carry none).
 */
import type { Node, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { podGatewayOf } from '../api/node.ts';
import type { KubeObject } from '../api/object.ts';
import type { ProxyEndpoint, ProxyProtocol, ProxyServicePort, ProxyTable } from './model.ts';

export type ProxyService = Service & KubeObject;
export type ProxySlice = EndpointSlice & KubeObject;
export type ProxyNode = Node & KubeObject;

export const serviceNameLabel = 'kubernetes.io/service-name';
/** Upstream's default for sessionAffinityConfig.clientIP.timeoutSeconds. */
export const defaultAffinityTimeoutSeconds = 10800;

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIPv4 = (ip: string | undefined): ip is string => !!ip && ipv4.test(ip) && ip.split('.').every((o) => Number(o) <= 255);

/** The node's own addresses, InternalIP first (NodePorts are served on them). */
export function nodeAddresses(node: ProxyNode | undefined): string[] {
  const out: string[] = [];
  for (const type of ['InternalIP', 'ExternalIP']) {
    for (const a of node?.status?.addresses ?? []) if (a.type === type && isIPv4(a.address) && !out.includes(a.address)) out.push(a.address);
  }
  return out;
}

/** Whether kube-proxy programs a Service at all (upstream ShouldSkipService). */
export function isProxied(svc: ProxyService): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return false;
  if (!spec.clusterIP || spec.clusterIP === 'None') return false;
  return true;
}

const protocolOf = (p: string | undefined): ProxyProtocol => (p === 'UDP' || p === 'SCTP' ? p : 'TCP');

/** Endpoints of one Service port, merged over all the Service's slices (upstream endpointSliceCache). */
function endpointsFor(slices: ProxySlice[], portName: string, protocol: ProxyProtocol, nodeName: string): ProxyEndpoint[] {
  const byKey = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    // An IPv4-only proxy reads IPv4 slices (FQDN slices are never proxied).
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol);
    if (port?.port === undefined || port.port === null) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!isIPv4(ip)) continue;
      const c = ep.conditions ?? {};
      const local = !!ep.nodeName && ep.nodeName === nodeName;
      const e: ProxyEndpoint = {
        ip,
        port: port.port,
        ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
        // Unset conditions mean true for ready/serving and false for terminating, as upstream.
        ready: c.ready !== false,
        serving: c.serving !== false,
        terminating: c.terminating === true,
        local,
      };
      const key = `${ip}:${port.port}`;
      // The same address in two slices (during a slice rewrite) counts once; local wins.
      if (!byKey.has(key) || local) byKey.set(key, e);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : compareIPs(a.ip, b.ip)));
}

function compareIPs(a: string, b: string): number {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}

/**
 * Cluster and external endpoints after readiness and traffic policy (upstream
 * CategorizeEndpoints): ready endpoints, or serving+terminating ones when none is ready;
 * a Local policy keeps only this node's endpoints and never falls back to remote ones.
 */
export function categorizeEndpoints(
  all: ProxyEndpoint[],
  policy: { internalLocal: boolean; externalLocal: boolean },
): { cluster: ProxyEndpoint[]; local: ProxyEndpoint[] } {
  let cluster = all.filter((e) => e.ready);
  if (cluster.length === 0) cluster = all.filter((e) => e.serving && e.terminating);
  let local: ProxyEndpoint[] = [];
  if (policy.internalLocal || policy.externalLocal) {
    local = all.filter((e) => e.local && e.ready);
    if (local.length === 0) local = all.filter((e) => e.local && e.serving && e.terminating);
  }
  return { cluster, local };
}

function servicePort(svc: ProxyService, sp: ServicePort, slices: ProxySlice[], nodeName: string): ProxyServicePort {
  const spec = svc.spec!;
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const portName = sp.name ?? '';
  const protocol = protocolOf(sp.protocol);
  const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).filter(isIPv4);
  const externalIPs = (spec.externalIPs ?? []).filter(isIPv4);
  // An ingress with ipMode Proxy is reached through the load balancer, not on the node (upstream).
  const loadBalancerIPs =
    spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ipMode !== 'Proxy').map((i) => i.ip).filter(isIPv4) : [];
  const nodePort = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && sp.nodePort ? sp.nodePort : undefined;
  const externallyAccessible = nodePort !== undefined || externalIPs.length > 0 || loadBalancerIPs.length > 0;
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const externalPolicyLocal = externallyAccessible && spec.externalTrafficPolicy === 'Local';
  const { cluster, local } = categorizeEndpoints(endpointsFor(slices, portName, protocol, nodeName), {
    internalLocal: internalPolicyLocal,
    externalLocal: externalPolicyLocal,
  });
  const out: ProxyServicePort = {
    id: `${namespace}/${name}:${portName}`,
    namespace,
    name,
    portName,
    protocol,
    clusterIPs,
    port: sp.port,
    externalIPs,
    loadBalancerIPs,
    externalPolicyLocal,
    internalPolicyLocal,
    clusterEndpoints: internalPolicyLocal ? local : cluster,
    externalEndpoints: externallyAccessible ? (externalPolicyLocal ? local : cluster) : [],
  };
  if (nodePort !== undefined) out.nodePort = nodePort;
  if (spec.sessionAffinity === 'ClientIP') {
    out.sessionAffinity = { timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinityTimeoutSeconds };
  }
  return out;
}

/** The whole table for one node; deterministic (sorted by id) so equal inputs give equal tables. */
export function computeTable(nodeName: string, node: ProxyNode | undefined, services: ProxyService[], slices: ProxySlice[]): ProxyTable {
  const slicesBySvc = new Map<string, ProxySlice[]>();
  for (const s of slices) {
    const svcName = s.metadata?.labels?.[serviceNameLabel];
    if (!svcName) continue;
    const key = `${s.metadata?.namespace ?? 'default'}/${svcName}`;
    let list = slicesBySvc.get(key);
    if (!list) slicesBySvc.set(key, (list = []));
    list.push(s);
  }
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    if (!isProxied(svc)) continue;
    const mine = slicesBySvc.get(`${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`) ?? [];
    for (const sp of svc.spec?.ports ?? []) out.push(servicePort(svc, sp, mine, nodeName));
  }
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
  const gateway = podGatewayOf(node);
  return { nodeName, nodeIPs: nodeAddresses(node), ...(gateway ? { podGateway: gateway } : {}), services: out };
}
