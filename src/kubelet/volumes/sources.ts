/**
 * @module The payloads of the projected kinds of volume (configMap, secret, downwardAPI,
 * projected) as upstream builds them: all keys or just `items` (key → path, per-item mode),
 * `defaultMode` 0644, `optional` objects and keys. Errors carry upstream's messages.
 */
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { fieldValue, resourceValue } from '../env.ts';
import type { Payload } from './atomic-writer.ts';
import type { ClaimSource } from './claims.ts';
import { serviceAccountTokenFile } from './projected.ts';
import type { TokenSource } from './service-account-token.ts';

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  allocatable: Record<string, string>;
  /** TokenRequest for projected serviceAccountToken sources (the kubelet's token manager). */
  serviceAccountToken?: TokenSource;
  /** Claims and their volumes, for persistentVolumeClaim volumes (`claims.ts`). */
  claims?: ClaimSource;
}

function project(payload: Payload, data: Record<string, Buffer>, items: KeyToPath[] | undefined, mode: number, optional: boolean, what: string): void {
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`${what} references non-existent config key: ${it.key}`);
    }
    payload.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

const cmData = (cm: ConfigMap): Record<string, Buffer> => ({
  ...Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
  ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
});
const secretData = (s: Secret): Record<string, Buffer> => ({
  ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...Object.fromEntries(Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
});

function downward(payload: Payload, pod: Pod, items: DownwardAPIVolumeFile[], mode: number, src: VolumeSources): void {
  for (const it of items) {
    let value = '';
    if (it.fieldRef) value = fieldValue(pod, it.fieldRef.fieldPath);
    else if (it.resourceFieldRef) {
      const c = pod.spec?.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec!.containers[0]!;
      value = resourceValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor, src.allocatable);
    }
    payload.set(it.path, { data: Buffer.from(value), mode: it.mode ?? mode });
  }
}

/** The files of a configMap/secret/downwardAPI/projected volume, or undefined for other kinds. */
export async function volumePayload(pod: Pod, vol: Volume, src: VolumeSources): Promise<Payload | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  const payload: Payload = new Map();
  if (vol.configMap) {
    const ref = vol.configMap;
    const cm = await src.configMap(ns, ref.name ?? '');
    if (!cm) {
      if (ref.optional) return payload;
      throw new Error(`configmap "${ref.name}" not found`);
    }
    project(payload, cmData(cm), ref.items, ref.defaultMode ?? 0o644, !!ref.optional, 'configmap');
    return payload;
  }
  if (vol.secret) {
    const ref = vol.secret;
    const s = await src.secret(ns, ref.secretName ?? '');
    if (!s) {
      if (ref.optional) return payload;
      throw new Error(`secret "${ref.secretName}" not found`);
    }
    project(payload, secretData(s), ref.items, ref.defaultMode ?? 0o644, !!ref.optional, 'secret');
    return payload;
  }
  if (vol.downwardAPI) {
    downward(payload, pod, vol.downwardAPI.items ?? [], vol.downwardAPI.defaultMode ?? 0o644, src);
    return payload;
  }
  if (vol.projected) {
    const mode = vol.projected.defaultMode ?? 0o644;
    for (const s of vol.projected.sources ?? []) {
      if (s.configMap) {
        const cm = await src.configMap(ns, s.configMap.name ?? '');
        if (!cm) {
          if (s.configMap.optional) continue;
          throw new Error(`configmap "${s.configMap.name}" not found`);
        }
        project(payload, cmData(cm), s.configMap.items, mode, !!s.configMap.optional, 'configmap');
      } else if (s.secret) {
        const sec = await src.secret(ns, s.secret.name ?? '');
        if (!sec) {
          if (s.secret.optional) continue;
          throw new Error(`secret "${s.secret.name}" not found`);
        }
        project(payload, secretData(sec), s.secret.items, mode, !!s.secret.optional, 'secret');
      } else if (s.downwardAPI) downward(payload, pod, s.downwardAPI.items ?? [], mode, src);
      else if (s.serviceAccountToken) {
        const [path, file] = await serviceAccountTokenFile(pod, s.serviceAccountToken, mode, src.serviceAccountToken);
        payload.set(path, file);
      }
      // clusterTrustBundle sources are not projected yet.
    }
    return payload;
  }
  return undefined;
}
