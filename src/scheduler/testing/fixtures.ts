/**
 * @module Fixtures for scheduler unit tests: terse Node and Pod builders and a snapshot
 * filled with them, so plugin tests stay pure (no server).
 */
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { NodeObject } from '../framework/node-info.ts';
import { PodInfo, type PodObject } from '../framework/pod-info.ts';
import { Snapshot } from '../framework/snapshot.ts';

export function makeNode(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; spec?: Node['spec']; images?: { names: string[]; sizeBytes: number }[] } = {}): NodeObject {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: o.spec ?? {},
    status: { allocatable: alloc, capacity: alloc, images: o.images },
  } as Node & KubeObject;
}

let seq = 0;

export function makePod(name: string, o: { cpu?: string; memory?: string; labels?: Record<string, string>; namespace?: string; spec?: Partial<Pod['spec']>; containers?: Container[]; priority?: number } = {}): PodInfo {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${++seq}`, labels: o.labels },
    spec: { containers: o.containers ?? [{ name: 'c', image: 'img', resources: { requests } }], ...o.spec } as Pod['spec'],
  };
  return new PodInfo(pod, o.priority ?? 0);
}

/** A snapshot with the nodes and, for each `[pod, nodeName]`, the pod placed there. */
export function makeSnapshot(nodes: NodeObject[], pods: [PodInfo, string][] = []): Snapshot {
  const s = new Snapshot();
  for (const n of nodes) s.upsertNode(n);
  for (const [p, n] of pods) s.addPod(p, n);
  return s;
}
