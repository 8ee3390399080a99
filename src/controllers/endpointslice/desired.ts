/**
 * @module The desired EndpointSlices of one Service, as pure functions (upstream
 * pkg/controller/endpointslice/reconciler.go and utils.go): which pods count, each pod's
 * endpoint and conditions, per-pod port resolution (a named targetPort can differ per pod),
 * grouping by port set, and chunks of at most `maxEndpointsPerSlice`.
 */
import type { Node, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedByValue = 'endpointslice-controller.k8s.io';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const headlessLabel = 'service.kubernetes.io/headless';
export const zoneLabel = 'topology.kubernetes.io/zone';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** upstream ShouldPodBeInEndpoints: an IP, not finished, and (optionally) not terminating. */
export function podBelongs(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** upstream podutil.FindPort: the container port a Service port reaches on this pod. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  return undefined;
}

export function endpointPorts(pod: Pod, svc: Service): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    out.push(sp.appProtocol ? { ...ep, appProtocol: sp.appProtocol } : ep);
  }
  return out;
}

export function podToEndpoint(pod: Pod, svc: Service, node: Node | undefined): Endpoint {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const serving = publish || isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ep: Endpoint = {
    addresses: [pod.status!.podIP!],
    // "ready" is never true for a terminating pod unless publishNotReadyAddresses is set.
    conditions: { ready: publish || (serving && !terminating), serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  const out = ep as { -readonly [K in keyof Endpoint]: Endpoint[K] };
  if (pod.spec?.nodeName) out.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[zoneLabel];
  if (zone) out.zone = zone;
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) out.hostname = pod.spec.hostname;
  return ep;
}

export interface SliceContent {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

const portsKey = (ports: readonly EndpointPort[]) => JSON.stringify([...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port! - b.port!));
export const sliceKey = (s: Pick<EndpointSlice, 'ports'>) => portsKey(s.ports ?? []);

/**
 * Every slice the Service should have: endpoints grouped by their resolved port set, sorted by
 * pod name for stable chunks, at most `max` per slice. No endpoints: one empty placeholder.
 */
export function desiredSlices(svc: Service, pods: readonly Pod[], nodeOf: (name: string) => Node | undefined, max: number): SliceContent[] {
  const groups = new Map<string, SliceContent>();
  const sorted = [...pods].filter((p) => podBelongs(p, true)).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of sorted) {
    const ports = endpointPorts(pod, svc);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc, pod.spec?.nodeName ? nodeOf(pod.spec.nodeName) : undefined));
  }
  const out: SliceContent[] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  if (out.length === 0) out.push({ ports: [], endpoints: [] });
  return out;
}
