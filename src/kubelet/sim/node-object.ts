/**
 * @module The Node and Lease objects a simulated node writes: labels, capacity, addresses and
 * nodeInfo on registration; the kubelet's four conditions on every status write; the
 * `kube-node-lease/<node>` Lease the node lifecycle controller watches.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { SimOptions } from './options.ts';

export type N = Node & KubeObject;
export type L = Lease & KubeObject;

export const simKubeletVersion = 'v1.32.0-skiff-sim';
export const simRuntimeVersion = 'sim://1.0';
export const nodeLeaseNamespace = 'kube-node-lease';

/** Kubernetes `Time`: RFC 3339 with whole seconds. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
/** Kubernetes `MicroTime`: RFC 3339 with microseconds (Lease renewTime). */
export const microTime = (d: Date): string => d.toISOString().replace(/\.(\d+)Z$/, (_m, ms: string) => `.${ms.padEnd(6, '0')}Z`);

/** A stable 32-bit hash, so one name always maps to the same fake addresses. */
export function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The node's InternalIP: a label in 10.200.0.0/16 that is never routed and never dialled
 * (nothing listens on it); `index` is the node's place in its pool, else the name's hash.
 */
export function simNodeIP(name: string, index?: number): string {
  const i = (index ?? hashName(name)) % (254 * 256);
  return `10.200.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

export function nodeLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': 'sim',
    type: 'sim',
  };
}

export function newNode(name: string): N {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'skiff.dev/runtime': 'sim' },
    },
    spec: {},
  };
}

function condition(type: string, status: string, reason: string, message: string, now: string, prev: NodeCondition[] | undefined): NodeCondition {
  const old = prev?.find((c) => c.type === type);
  // lastTransitionTime moves only when the status flips, as the kubelet's setters do.
  const lastTransitionTime = old && old.status === status ? (old.lastTransitionTime ?? now) : now;
  return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime };
}

/** The kubelet's conditions, in its order; conditions others own (NetworkUnavailable) are kept. */
export function nodeConditions(prev: NodeCondition[] | undefined, now: Date): NodeCondition[] {
  const t = rfc3339(now);
  const ours = [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', t, prev),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', t, prev),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', t, prev),
    condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', t, prev),
  ];
  const mine = new Set(ours.map((c) => c.type));
  return [...ours, ...(prev ?? []).filter((c) => !mine.has(c.type))];
}

export function nodeStatus(name: string, ip: string, opts: SimOptions, prev: NodeStatus | undefined, now: Date): NodeStatus {
  const uuid = fakeUuid(name);
  return {
    ...prev,
    capacity: { ...opts.capacity },
    allocatable: { ...opts.capacity },
    conditions: nodeConditions(prev?.conditions, now),
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: uuid.replace(/-/g, ''),
      systemUUID: uuid,
      bootID: prev?.nodeInfo?.bootID ?? fakeUuid(`${name}/${now.getTime()}`),
      kernelVersion: '6.1.0-skiff-sim',
      osImage: 'Skiff Simulated Node',
      containerRuntimeVersion: simRuntimeVersion,
      kubeletVersion: simKubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/**
 * Whether a status write is due before the report period: the kubelet writes at once when what
 * it would report differs from what the API holds (e.g. the node lifecycle controller set
 * Ready=Unknown while this node was stopped) or capacity changed.
 */
export function nodeStatusDiffers(node: N, opts: SimOptions): boolean {
  const conds = node.status?.conditions ?? [];
  const want: Record<string, string> = { MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' };
  for (const [type, status] of Object.entries(want)) if (conds.find((c) => c.type === type)?.status !== status) return true;
  const cap = node.status?.capacity ?? {};
  for (const [k, v] of Object.entries(opts.capacity)) if (String(cap[k]) !== v) return true;
  return false;
}

/** The conditions' heartbeat: when this node last wrote its status. */
export function lastHeartbeat(node: N): number {
  const t = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  return t ? Date.parse(t) : 0;
}

export function newLease(node: N, opts: SimOptions, now: Date): L {
  const name = node.metadata?.name ?? '';
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: nodeLeaseNamespace,
      ownerReferences: node.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] : undefined,
    },
    spec: { holderIdentity: name, leaseDurationSeconds: opts.leaseDurationSeconds, renewTime: microTime(now) },
  };
}

function fakeUuid(seed: string): string {
  const hex = [0, 1, 2, 3].map((i) => hashName(`${i}:${seed}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
