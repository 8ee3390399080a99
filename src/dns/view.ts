/**
 * @module What the DNS server reads of the cluster: Services, EndpointSlices, Pods and
 * Namespaces, looked up by name and by IP. `informerView` backs it with shared informers
 * (indexes by service, subdomain and IP, so a query never scans); `memoryView` with plain
 * arrays, for unit tests and the benchmark.
 */
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { InformerFactory } from '../client/cache/factory.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';

export type Svc = Service & KubeObject;
export type Slice = EndpointSlice & KubeObject;
export type PodObj = Pod & KubeObject;
export type Ns = Namespace & KubeObject;

export interface ClusterView {
  service(namespace: string, name: string): Svc | undefined;
  namespaceExists(namespace: string): boolean;
  /** EndpointSlices labelled `kubernetes.io/service-name: <name>` in the namespace. */
  slicesOf(namespace: string, service: string): Slice[];
  /** Pods whose `spec.subdomain` is the given name (candidates for `host.subdomain.ns.svc`). */
  podsInSubdomain(namespace: string, subdomain: string): PodObj[];
  servicesWithIP(ip: string): Svc[];
  slicesWithAddress(ip: string): Slice[];
  podsWithIP(ip: string): PodObj[];
}

export const serviceNameLabel = 'kubernetes.io/service-name';

const nsName = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;
const serviceIPs = (s: Svc): string[] => {
  const ips = s.spec?.clusterIPs?.length ? s.spec.clusterIPs : s.spec?.clusterIP ? [s.spec.clusterIP] : [];
  return ips.filter((ip) => ip !== 'None' && ip !== '').map(canonicalIP);
};
const sliceAddresses = (s: Slice): string[] => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []).map(canonicalIP);
const sliceService = (s: Slice): string[] => {
  const svc = s.metadata?.labels?.[serviceNameLabel];
  return svc ? [nsName(s.metadata?.namespace, svc)] : [];
};
const podIPs = (p: PodObj): string[] => {
  const ips = p.status?.podIPs?.map((x) => x.ip) ?? (p.status?.podIP ? [p.status.podIP] : []);
  return ips.filter((ip): ip is string => !!ip).map(canonicalIP);
};

/** One spelling per address, so `::1` and `0:0::1` find the same objects. */
export function canonicalIP(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** A view over shared informers; the constructor registers them, so call it before `informers.start`. */
export function informerView(informers: InformerFactory): ClusterView & { informers: Informer<KubeObject>[] } {
  const services = informers.informerFor<Svc>(refs.services);
  const slices = informers.informerFor<Slice>(refs.endpointslices);
  const pods = informers.informerFor<PodObj>(refs.pods);
  const namespaces = informers.informerFor<Ns>(refs.namespaces);
  services.store.addIndex('dns-ip', serviceIPs);
  slices.store.addIndex('dns-service', sliceService);
  slices.store.addIndex('dns-address', sliceAddresses);
  pods.store.addIndex('dns-subdomain', (p) => (p.spec?.subdomain ? [nsName(p.metadata?.namespace, p.spec.subdomain)] : []));
  pods.store.addIndex('dns-ip', podIPs);
  return {
    informers: [services, slices, pods, namespaces] as unknown as Informer<KubeObject>[],
    service: (ns, name) => services.store.getByName(ns, name),
    // A namespace with objects but not yet in the cache still exists for DNS.
    namespaceExists: (ns) => !!namespaces.store.getByName('', ns) || services.store.byIndex('namespace', ns).length > 0,
    slicesOf: (ns, svc) => slices.store.byIndex('dns-service', nsName(ns, svc)),
    podsInSubdomain: (ns, sub) => pods.store.byIndex('dns-subdomain', nsName(ns, sub)),
    servicesWithIP: (ip) => services.store.byIndex('dns-ip', canonicalIP(ip)),
    slicesWithAddress: (ip) => slices.store.byIndex('dns-address', canonicalIP(ip)),
    podsWithIP: (ip) => pods.store.byIndex('dns-ip', canonicalIP(ip)),
  };
}

/** A view over fixed object lists (tests, benchmark). */
export function memoryView(objs: { services?: Svc[]; slices?: Slice[]; pods?: PodObj[]; namespaces?: string[] }): ClusterView {
  const services = objs.services ?? [];
  const slices = objs.slices ?? [];
  const pods = objs.pods ?? [];
  const namespaces = new Set(objs.namespaces ?? []);
  return {
    service: (ns, name) => services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === name),
    namespaceExists: (ns) => namespaces.has(ns) || services.some((s) => s.metadata?.namespace === ns),
    slicesOf: (ns, svc) => slices.filter((s) => sliceService(s)[0] === nsName(ns, svc)),
    podsInSubdomain: (ns, sub) => pods.filter((p) => p.metadata?.namespace === ns && p.spec?.subdomain === sub),
    servicesWithIP: (ip) => services.filter((s) => serviceIPs(s).includes(canonicalIP(ip))),
    slicesWithAddress: (ip) => slices.filter((s) => sliceAddresses(s).includes(canonicalIP(ip))),
    podsWithIP: (ip) => pods.filter((p) => podIPs(p).includes(canonicalIP(ip))),
  };
}
