/**
 * @module The Node object of a real node: labels, capacity and allocatable from the host (cpu
 * count, memory, ephemeral-storage of the data dir's filesystem, 110 pods; allocatable less
 * upstream's default eviction thresholds memory.available<100Mi and nodefs.available<10%),
 * addresses, nodeInfo read from the machine, and the four kubelet conditions with pressure
 * measured from the host.
 */
import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, release, totalmem } from 'node:os';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { rfc3339 } from './pod-status.ts';

export type N = Node & KubeObject;
export const kubeletVersion = 'v1.32.0-skiff';
const evictionMemoryBytes = 100 * 2 ** 20;

const goArch = () => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' })[arch() as string] ?? arch();
const text = (p: string) => readFile(p, 'utf8').then((s) => s.trim(), () => '');

export interface HostFacts {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  memoryPressure: boolean;
  diskPressure: boolean;
}

export async function hostFacts(dataDir: string, maxPods: number): Promise<HostFacts> {
  const fs = await statfs(dataDir);
  const disk = fs.blocks * fs.bsize;
  const mem = totalmem();
  return {
    capacity: { cpu: String(cpus().length), memory: `${Math.floor(mem / 1024)}Ki`, 'ephemeral-storage': `${Math.floor(disk / 1024)}Ki`, pods: String(maxPods) },
    allocatable: { cpu: String(cpus().length), memory: `${Math.floor((mem - evictionMemoryBytes) / 1024)}Ki`, 'ephemeral-storage': String(Math.floor(disk * 0.9)), pods: String(maxPods) },
    memoryPressure: freemem() < evictionMemoryBytes,
    diskPressure: fs.bavail * fs.bsize < disk * 0.1,
  };
}

export function newNode(name: string, runtime: string): N {
  const a = goArch();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': a, 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': a },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'skiff.dev/runtime': runtime, ...(runtime === 'process' ? { 'skiff.dev/isolation': 'none: pods run as plain host processes' } : {}) },
    },
    spec: {},
  };
}

function condition(type: string, bad: boolean, reasons: [string, string, string, string], prev: NodeCondition[] | undefined, now: string, invert = false): NodeCondition {
  const status = (invert ? !bad : bad) ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  const [okReason, okMsg, badReason, badMsg] = reasons;
  return {
    type, status, reason: bad ? badReason : okReason, message: bad ? badMsg : okMsg,
    lastHeartbeatTime: now, lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now,
  };
}

export async function nodeStatus(prev: NodeStatus | undefined, facts: HostFacts, addresses: { type: string; address: string }[], runtimeVersion: string, now: Date): Promise<NodeStatus> {
  const t = rfc3339(now);
  const conds = [
    condition('MemoryPressure', facts.memoryPressure, ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'], prev?.conditions, t),
    condition('DiskPressure', facts.diskPressure, ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'KubeletHasDiskPressure', 'kubelet has disk pressure'], prev?.conditions, t),
    condition('PIDPressure', false, ['KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available'], prev?.conditions, t),
    condition('Ready', false, ['KubeletReady', 'kubelet is posting ready status', 'KubeletNotReady', ''], prev?.conditions, t, true),
  ];
  const mine = new Set(conds.map((c) => c.type));
  const os = await text('/etc/os-release');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(os)?.[1] ?? 'Linux';
  const machineID = (await text('/etc/machine-id')) || hostname();
  return {
    ...prev,
    capacity: facts.capacity,
    allocatable: facts.allocatable,
    conditions: [...conds, ...(prev?.conditions ?? []).filter((c) => !mine.has(c.type))],
    addresses,
    nodeInfo: {
      machineID,
      systemUUID: (await text('/sys/class/dmi/id/product_uuid')) || machineID,
      bootID: await text('/proc/sys/kernel/random/boot_id'),
      kernelVersion: release(),
      osImage: pretty,
      containerRuntimeVersion: runtimeVersion,
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}
