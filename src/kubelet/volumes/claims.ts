/**
 * @module persistentVolumeClaim volumes on the node: claim → bound PV → the directory the
 * volume lives in (`hostPath.path` — what the local-path provisioner creates — or
 * `local.path`). An unbound or missing claim fails the mount with upstream's wording, so the
 * pod stays ContainerCreating with a `FailedMount` event until the claim is Bound; the sync
 * retries. `readOnly` on the pod's volume makes every mount of it read-only. A PV whose
 * `nodeAffinity` does not match this node is refused (defence in depth: the scheduler's
 * VolumeBinding already checks; upstream's operation generator checks again before mounting).
 */
import { lstat, mkdir } from 'node:fs/promises';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { refs } from '../../client/refs.ts';
import type { Client } from '../../client/rest.ts';
import { isNotFound } from '../../machinery/status.ts';

export type PVC = PersistentVolumeClaim & KubeObject;
export type PV = PersistentVolume & KubeObject;

/** How the kubelet reads claims and volumes (the node authorizer allows exactly these gets). */
export interface ClaimSource {
  claim(namespace: string, name: string): Promise<PVC | undefined>;
  volume(name: string): Promise<PV | undefined>;
  /** This node's name and labels, for the PV node-affinity check; absent: no check. */
  node?(): Promise<{ name: string; labels: Record<string, string> }>;
}

/** `nodeName`: the kubelet's own node (the node authorizer lets it get that Node). */
export function claimSourceFor(client: Client, nodeName?: string): ClaimSource {
  const get = async <T extends KubeObject>(p: Promise<T>): Promise<T | undefined> =>
    p.catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  return {
    claim: (ns, name) => get(client.resource<PVC>(refs.persistentvolumeclaims).get(name, ns)),
    volume: (name) => get(client.resource<PV>(refs.persistentvolumes).get(name)),
    ...(nodeName && {
      node: async () => {
        const n = await client.resource<Node & KubeObject>(refs.nodes).get(nodeName);
        return { name: nodeName, labels: n.metadata?.labels ?? {} };
      },
    }),
  };
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]!) || value === undefined || !/^-?\d+$/.test(value)) return false;
      return r.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default: return false;
  }
}

/**
 * Upstream's MatchNodeSelectorTerms: terms are ORed, a term's expressions and fields ANDed, an
 * empty term matches nothing. (Kept here: the kubelet may not import the scheduler's copy.)
 */
export function nodeSelectorTermsMatch(terms: NodeSelectorTerm[], labels: Record<string, string>, nodeName: string): boolean {
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (exprs.length + fields.length === 0) return false;
    return exprs.every((r) => requirementMatches(r, labels[r.key])) && fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? nodeName : undefined));
  });
}

/** Upstream CheckNodeAffinity: the error the kubelet reports as a FailedMount event. */
export function checkNodeAffinity(pv: PV, node: { name: string; labels: Record<string, string> }): void {
  const required = pv.spec?.nodeAffinity?.required;
  if (!required) return;
  if (!nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node.labels, node.name))
    throw new Error(`NodeAffinity check failed for volume "${pv.metadata?.name ?? ''}" : no matching NodeSelectorTerms`);
}

/** The host directory of a claim's volume; created for a `DirectoryOrCreate` hostPath volume. */
export async function claimHostPath(namespace: string, claimName: string, src: ClaimSource): Promise<string> {
  const what = `${namespace}/${claimName}`;
  const claim = await src.claim(namespace, claimName);
  if (!claim) throw new Error(`error processing PVC ${what}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
  if (claim.metadata?.deletionTimestamp) throw new Error(`can't start pod because PVC ${what} is being deleted`);
  const volumeName = claim.spec?.volumeName ?? '';
  if (claim.status?.phase !== 'Bound' || !volumeName)
    throw new Error(`error processing PVC ${what}: PVC ${what} has non-bound phase ("${claim.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
  const pv = await src.volume(volumeName);
  if (!pv) throw new Error(`error processing PVC ${what}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
  if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata?.uid)
    throw new Error(`error processing PVC ${what}: PV ${volumeName} is bound to another claim`);
  if (src.node) checkNodeAffinity(pv, await src.node());
  if (pv.spec?.hostPath?.path) {
    const path = pv.spec.hostPath.path;
    const st = await lstat(path).catch(() => undefined);
    if (!st && (pv.spec.hostPath.type ?? '') === 'DirectoryOrCreate') await mkdir(path, { recursive: true, mode: 0o777 });
    else if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
    return path;
  }
  if (pv.spec?.local?.path) {
    const path = pv.spec.local.path;
    if (!(await lstat(path).catch(() => undefined))?.isDirectory()) throw new Error(`path "${path}" does not exist`);
    return path;
  }
  throw new Error(`volume "${volumeName}": only hostPath and local PersistentVolumes are supported by this kubelet`);
}
