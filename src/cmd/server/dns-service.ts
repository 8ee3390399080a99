/**
 * @module Cluster DNS as a Service: at every start with DNS enabled, `kube-system/kube-dns`
 * (the labels CoreDNS's manifests carry, `clusterIP` = `--cluster-dns`, ports `dns` 53/UDP and
 * `dns-tcp` 53/TCP, no selector) is ensured, with an EndpointSlice and Endpoints naming the
 * DNS server's real address and port, so a service proxy can carry pods' queries to it, as
 * `reconcileKubernetesService` does for the API server.
 */
import type { EndpointPort, Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import type { Client, ResourceClient } from '../../client/rest.ts';
import { isAlreadyExists, isNotFound } from '../../machinery/status.ts';
import type { Logger } from '../../util/log.ts';

export const dnsServiceName = 'kube-dns';
const namespace = 'kube-system';
/** Marks the slice as ours, so neither the EndpointSlice controller nor mirroring touches it. */
export const dnsSliceManager = 'cluster-dns.skiff.dev';

async function upsert<T extends KubeObject>(rc: ResourceClient<T>, desired: T, same: (cur: T) => boolean, merge: (cur: T) => T): Promise<void> {
  const name = desired.metadata!.name!;
  let cur: T;
  try {
    cur = await rc.get(name, namespace);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await rc.create(desired, namespace);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    return;
  }
  if (!same(cur)) await rc.update(merge(cur));
}

/** Ensures kube-system/kube-dns, its Endpoints and its EndpointSlice point at `ip:port`. */
export async function reconcileDnsService(client: Client, opts: { clusterDns: string; ip: string; port: number; logger: Logger }): Promise<void> {
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'kubernetes.io/cluster-service': 'true' };
  const ports: ServicePort[] = [
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: opts.port },
    { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: opts.port },
  ];
  const svc: Service & KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: dnsServiceName, namespace, labels, annotations: { 'prometheus.io/scrape': 'false' } },
    spec: { type: 'ClusterIP', clusterIP: opts.clusterDns, ports, sessionAffinity: 'None' },
  };
  const services = client.resource<Service & KubeObject>(refs.services);
  await upsert(
    services,
    svc,
    (cur) => JSON.stringify(cur.spec?.ports?.map((p) => [p.name, p.port, p.protocol, p.targetPort])) === JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol, p.targetPort])),
    // Only the ports follow the server; the ClusterIP is immutable once given.
    (cur) => ({ ...cur, spec: { ...cur.spec, ports } }),
  );
  const cur = await services.get(dnsServiceName, namespace);
  if (cur.spec?.clusterIP !== opts.clusterDns)
    opts.logger.warn('kube-dns Service has another ClusterIP than --cluster-dns', { clusterIP: cur.spec?.clusterIP, clusterDns: opts.clusterDns });

  const epPorts: EndpointPort[] = [
    { name: 'dns', port: opts.port, protocol: 'UDP' },
    { name: 'dns-tcp', port: opts.port, protocol: 'TCP' },
  ];
  const ep: Endpoints & KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: dnsServiceName, namespace, labels: { ...labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.ip }], ports: epPorts }],
  };
  await upsert(
    client.resource<Endpoints & KubeObject>(refs.endpoints),
    ep,
    (c) => JSON.stringify(c.subsets) === JSON.stringify(ep.subsets),
    (c) => ({ ...c, metadata: { ...c.metadata, labels: ep.metadata!.labels }, subsets: ep.subsets }),
  );

  const slice: EndpointSlice & KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: dnsServiceName,
      namespace,
      labels: { ...labels, 'kubernetes.io/service-name': dnsServiceName, 'endpointslice.kubernetes.io/managed-by': dnsSliceManager },
    },
    addressType: opts.ip.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [opts.ip], conditions: { ready: true, serving: true, terminating: false } }],
    ports: epPorts,
  };
  await upsert(
    client.resource<EndpointSlice & KubeObject>(refs.endpointslices),
    slice,
    (c) => JSON.stringify([c.endpoints, c.ports]) === JSON.stringify([slice.endpoints, slice.ports]),
    (c) => ({ ...c, addressType: slice.addressType, endpoints: slice.endpoints, ports: slice.ports }),
  );
}
