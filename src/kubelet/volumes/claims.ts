/**
 * @module persistentVolumeClaim volumes on the node: claim → bound PV → the directory the
 * volume lives in (`hostPath.path` — what the local-path provisioner creates — or
 * `local.path`). An unbound or missing claim fails the mount with upstream's wording, so the
 * pod stays ContainerCreating with a `FailedMount` event until the claim is Bound; the sync
 * retries. `readOnly` on the pod's volume makes every mount of it read-only.
 */
import { lstat, mkdir } from 'node:fs/promises';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
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
}

export function claimSourceFor(client: Client): ClaimSource {
  const get = async <T extends KubeObject>(p: Promise<T>): Promise<T | undefined> =>
    p.catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  return {
    claim: (ns, name) => get(client.resource<PVC>(refs.persistentvolumeclaims).get(name, ns)),
    volume: (name) => get(client.resource<PV>(refs.persistentvolumes).get(name)),
  };
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
