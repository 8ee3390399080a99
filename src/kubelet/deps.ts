/**
 * @module What the kubelet's parts share: the runtime, the API client and event recorder,
 * probes, status, volumes, back-off, and the node's folders and addresses.
 */
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { EventRecorder } from '../client/events/recorder.ts';
import type { Client } from '../client/rest.ts';
import type { Logger } from '../util/log.ts';
import type { Backoff } from './backoff.ts';
import type { ClusterDnsSettings } from './dns-config.ts';
import type { ProbeManager } from './prober/manager.ts';
import type { Runtime } from './runtime/interface.ts';
import type { StatusManager } from './status-manager.ts';
import type { VolumeManager } from './volumes/manager.ts';

export type P = Pod & KubeObject;

export interface KubeletDeps {
  nodeName: string;
  hostIP: string;
  /** `<dataDir>/agent/<node>`: pods/, logs/, runtime state. */
  agentDir: string;
  /** Cluster DNS settings for pods' resolv.conf; undefined: pods get the host's. */
  dns?: ClusterDnsSettings;
  runtime: Runtime;
  client: Client;
  recorder: EventRecorder;
  probes: ProbeManager;
  status: StatusManager;
  volumes: VolumeManager;
  backoff: Backoff;
  logger: Logger;
  allocatable: Record<string, string>;
  configMap(namespace: string, name: string): Promise<(ConfigMap & KubeObject) | undefined>;
  secret(namespace: string, name: string): Promise<(Secret & KubeObject) | undefined>;
  /** Period of the full resync of every pod (picks up ConfigMap/Secret changes). */
  resyncMs: number;
}

export const podUid = (pod: Pod) => pod.metadata?.uid ?? '';
export const podDir = (d: KubeletDeps, pod: Pod) => `${d.agentDir}/pods/${podUid(pod)}`;
export const podLogDir = (d: KubeletDeps, pod: Pod) => `${d.agentDir}/logs/${pod.metadata?.namespace}_${pod.metadata?.name}_${podUid(pod)}`;
/** Upstream format.Pod: `name_namespace(uid)`. */
export const formatPod = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${podUid(pod)})`;
