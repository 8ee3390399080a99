/**
 * @module Service addressing in `skiff server`: the ClusterIP/NodePort allocator is rebuilt
 * from the stored Services and attached to the services store before anything can write, then
 * the `default/kubernetes` Service (first address of `--service-cidr`, port 443) is ensured and
 * its Endpoints and EndpointSlice point at this API server (upstream's "endpoint reconciler";
 * the Endpoints carry skip-mirror so no mirroring controller copies them).
 */
import { networkInterfaces } from 'node:os';
import type { EndpointPort, Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { IPAllocator } from '../../apiserver/allocators/ip-allocator.ts';
import { PortAllocator } from '../../apiserver/allocators/port-allocator.ts';
import { ServiceAllocator } from '../../apiserver/allocators/service-allocation.ts';
import type { Store, WriteOptions } from '../../apiserver/registry/generic/store.ts';
import type { ApiServer } from '../../apiserver/server.ts';
import { StatusError } from '../../machinery/status.ts';
import type { Logger } from '../../util/log.ts';

const asApiserver: WriteOptions = {
  dryRun: false,
  user: { username: 'system:apiserver', groups: ['system:masters'] },
  fieldManager: 'kube-apiserver',
};

function must(api: ApiServer, group: string, version: string, resource: string): Store {
  const s = api.store(group, version, resource);
  if (!s) throw new Error(`no store for ${resource}`);
  return s;
}

/** Attaches the allocator to the services store, marking what the stored Services hold. */
export async function setupServiceAllocation(
  api: ApiServer,
  opts: { serviceCidr: string; nodePortRange: string },
  logger: Logger,
): Promise<ServiceAllocator> {
  const store = must(api, '', 'v1', 'services');
  const alloc = new ServiceAllocator(new IPAllocator(opts.serviceCidr), new PortAllocator(opts.nodePortRange));
  const { kvs } = await api.config.backend.list(store.codec.prefix());
  const clashes = alloc.restore(kvs.map((kv) => store.codec.decode(kv)));
  if (clashes.length) logger.warn('services share an address or node port', { services: clashes });
  store.hooks = alloc;
  return alloc;
}

/** The address other components reach this API server at (upstream's advertise address). */
export function advertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

async function upsert(store: Store, ns: string, name: string, desired: KubeObject, same: (cur: KubeObject) => boolean): Promise<void> {
  const found = await store.getRaw(ns, name);
  if (!found) {
    try {
      await store.create(ns, desired, asApiserver);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
    return;
  }
  if (same(found.obj)) return;
  await store.guaranteedUpdate(ns, name, (cur) => ({ ...desired, metadata: { ...cur?.metadata, ...desired.metadata } }), asApiserver);
}

/** Ensures `default/kubernetes` and its endpoints name this server (`ip:port`). */
export async function reconcileKubernetesService(api: ApiServer, alloc: ServiceAllocator, ip: string, port: number): Promise<void> {
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const services = must(api, '', 'v1', 'services');
  const svc: Service & KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: alloc.ips.firstIP,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
      sessionAffinity: 'None',
    },
  };
  // The Service keeps its address; only the target port follows the server's port.
  await upsert(services, 'default', 'kubernetes', svc, (cur) => (cur as Service).spec?.ports?.[0]?.targetPort === port);

  const epPorts: EndpointPort[] = [{ name: 'https', port, protocol: 'TCP' }];
  const ep: Endpoints & KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: epPorts }],
  };
  await upsert(must(api, '', 'v1', 'endpoints'), 'default', 'kubernetes', ep, (cur) => JSON.stringify((cur as Endpoints).subsets) === JSON.stringify(ep.subsets));

  const slice: EndpointSlice & KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  await upsert(
    must(api, 'discovery.k8s.io', 'v1', 'endpointslices'),
    'default',
    'kubernetes',
    slice,
    (cur) => JSON.stringify([cur.endpoints, cur.ports]) === JSON.stringify([slice.endpoints, slice.ports]),
  );
}
