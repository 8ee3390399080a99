/**
 * @module ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount): a pod being
 * created runs as `default` unless it names a ServiceAccount, which must exist (403 otherwise);
 * unless `automountServiceAccountToken: false` (pod first, then the account) it gets the
 * projected `kube-api-access-<suffix>` volume — a bound token, the cluster CA from
 * `kube-root-ca.crt` and its namespace — mounted read-only at
 * `/var/run/secrets/kubernetes.io/serviceaccount` in every container; and it inherits the
 * account's imagePullSecrets when it has none. Mirror pods are left alone, but may not refer
 * to ServiceAccounts or tokens.
 */
import type { Container, Pod, ServiceAccount, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../machinery/status.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './interface.ts';
import { resourceIn } from './interface.ts';

export const defaultServiceAccountName = 'default';
export const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
export const tokenVolumePrefix = 'kube-api-access-';
export const rootCAConfigMapName = 'kube-root-ca.crt';
/** Upstream WarnOnlyBoundTokenExpirationSeconds: an hour plus seven seconds, so it can be told apart. */
export const boundTokenExpirationSeconds = 3607;
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
/** Upstream names.SimpleNameGenerator's alphabet (no vowels, no look-alike digits). */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

type SA = ServiceAccount & KubeObject;

export interface ServiceAccountAdmissionOptions {
  /** Reads a ServiceAccount straight from storage. */
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** How long a missing `default` account is waited for (its controller may lag a new namespace). */
  defaultAccountWaitMs?: number;
  sleep?(ms: number): Promise<void>;
  random?(): number;
}

/** The projected source upstream's TokenVolumeSource builds (defaultMode set explicitly, #104464). */
export function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: boundTokenExpirationSeconds } },
        { configMap: { name: rootCAConfigMapName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

const isPodCreate = (a: AdmissionAttributes) =>
  a.operation === 'CREATE' && !a.subresource && a.resource.group === '' && a.resource.resource === 'pods' && !!a.object;

function forbidden(a: AdmissionAttributes, why: string): StatusError {
  return StatusError.forbidden({ group: '', resource: 'pods' }, a.name || (a.object?.metadata?.name ?? ''), why);
}

/** The pod's own setting wins over the account's; both unset means mount. */
function shouldAutomount(sa: SA, pod: Pod): boolean {
  return pod.spec?.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
}

export function serviceAccountAdmission(opts: ServiceAccountAdmissionOptions): AdmissionPlugin {
  const waitMs = opts.defaultAccountWaitMs ?? 3000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;

  /** As upstream getServiceAccount: the default account is retried for a short while. */
  async function lookup(namespace: string, name: string): Promise<SA> {
    const deadline = Date.now() + (name === defaultServiceAccountName ? waitMs : 0);
    for (;;) {
      const sa = (await opts.getServiceAccount(namespace, name)) as SA | undefined;
      if (sa && !sa.metadata?.deletionTimestamp) return sa;
      if (Date.now() >= deadline) throw StatusError.notFound({ group: '', resource: 'serviceaccount' }, name);
      await sleep(100 + Math.floor(random() * 100));
    }
  }

  async function account(a: AdmissionAttributes, name: string): Promise<SA> {
    try {
      return await lookup(a.namespace, name);
    } catch (err) {
      throw forbidden(a, `error looking up service account ${a.namespace}/${name}: ${(err as Error).message}`);
    }
  }

  const suffix = () => Array.from({ length: 5 }, () => alphanums[Math.floor(random() * alphanums.length)]).join('');

  function mountToken(pod: Pod): void {
    const spec = pod.spec!;
    const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(tokenVolumePrefix));
    const volumeName = existing?.name ?? `${tokenVolumePrefix}${suffix()}`;
    let needed = false;
    const mountIn = (containers: Container[] | undefined) => {
      for (const c of containers ?? []) {
        // A container that mounts something at the token path keeps its own.
        if ((c.volumeMounts ?? []).some((m) => m.mountPath === tokenMountPath)) continue;
        c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: tokenMountPath }];
        needed = true;
      }
    };
    mountIn(spec.initContainers);
    mountIn(spec.containers);
    if (needed && !existing) spec.volumes = [...(spec.volumes ?? []), tokenVolume(volumeName)];
  }

  return {
    name: 'ServiceAccount',
    handles: (r) => resourceIn(r, '', 'pods'),
    async mutate(a) {
      if (!isPodCreate(a)) return;
      const pod = a.object as Pod;
      if (pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined) return;
      const spec = (pod.spec ??= { containers: [] });
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || defaultServiceAccountName;
      // The deprecated alias follows the real field, as the API server's defaulting does.
      spec.serviceAccount = spec.serviceAccountName;
      const sa = await account(a, spec.serviceAccountName);
      if (shouldAutomount(sa, pod)) mountToken(pod);
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length)
        spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    },
    async validate(a) {
      if (!isPodCreate(a)) return;
      const pod = a.object as Pod;
      if (pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined) {
        if (pod.spec?.serviceAccountName) throw forbidden(a, 'a mirror pod may not reference service accounts');
        for (const v of pod.spec?.volumes ?? []) {
          if (v.secret || v.projected?.sources?.some((s) => s.secret)) throw forbidden(a, 'a mirror pod may not reference secrets');
          if (v.projected?.sources?.some((s) => s.serviceAccountToken))
            throw forbidden(a, 'a mirror pod may not use ServiceAccountToken volume projections');
        }
        return;
      }
      const name = pod.spec?.serviceAccountName;
      if (!name) throw forbidden(a, `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ''}`);
      await account(a, name);
    },
  };
}
