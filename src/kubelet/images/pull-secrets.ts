/**
 * @module The registry credentials a pod's `imagePullSecrets` give for one image, as upstream's
 * kubelet builds its keyring: only Secrets of type `kubernetes.io/dockerconfigjson`
 * (`.dockerconfigjson`) or `kubernetes.io/dockercfg` (`.dockercfg`) count; a missing secret is
 * skipped (upstream logs and pulls without it); the most specific matching entry wins.
 */
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { RegistryAuth } from '../runtime/interface.ts';
import { credentialsFor } from './docker-config.ts';

export type SecretGetter = (namespace: string, name: string) => Promise<Secret | undefined>;

const keyOfType: Record<string, string> = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};

export async function pullSecretAuth(pod: Pod, image: string, getSecret: SecretGetter): Promise<RegistryAuth | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  const docs: string[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const s = await getSecret(ns, ref.name).catch(() => undefined);
    const key = s?.type ? keyOfType[s.type] : undefined;
    const data = key ? s?.data?.[key] : undefined;
    if (data) docs.push(Buffer.from(data, 'base64').toString('utf8'));
  }
  return docs.length ? credentialsFor(image, docs) : undefined;
}
