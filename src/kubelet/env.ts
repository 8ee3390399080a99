/**
 * @module A container's environment as upstream's makeEnvironmentVariables builds it: envFrom
 * (ConfigMaps and Secrets, with prefix and optional; invalid names skipped) then env in order
 * (literal values `$(VAR)`-expanded against what came before; valueFrom configMapKeyRef,
 * secretKeyRef, fieldRef, resourceFieldRef), and the expanded command and args. A missing
 * non-optional object or key throws EnvConfigError, which the pod worker reports as
 * `CreateContainerConfigError`. Service link variables are not generated.
 */
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { expand } from './expansion.ts';
import { parseQuantity } from './quantity.ts';

export class EnvConfigError extends Error {}

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Node allocatable, the default for resourceFieldRef limits that are unset. */
  allocatable: Record<string, string>;
}

export interface ResolvedEnv {
  env: { name: string; value: string }[];
  command: string[];
  args: string[];
  /** envFrom keys that were skipped because they are not valid variable names. */
  invalidNames: string[];
}

const validName = (n: string) => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(n);
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** The value of a downward-API field path (fieldRef), as upstream's podFieldSelectorRuntimeValue. */
export function fieldValue(pod: Pod, path: string): string {
  const md = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? md.labels : md.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return md.name ?? '';
    case 'metadata.namespace': return md.namespace ?? '';
    case 'metadata.uid': return md.uid ?? '';
    case 'metadata.labels': return formatMap(md.labels);
    case 'metadata.annotations': return formatMap(md.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
  }
  throw new EnvConfigError(`unsupported fieldRef path ${path}`);
}

/** resourceFieldRef: the container's request or limit (limit unset → node allocatable), divided and rounded up. */
export function resourceValue(container: Container, resource: string, divisor: string | undefined, allocatable: Record<string, string>): string {
  const [kind, name] = resource.split('.', 2) as [string, string];
  const res = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  let v = parseQuantity(res?.[name]);
  if (v === undefined && kind === 'limits') v = parseQuantity(allocatable[name]);
  if (v === undefined) v = 0;
  const d = parseQuantity(divisor ?? '1') || 1;
  return String(Math.ceil(v / d - 1e-9));
}

export async function resolveEnv(pod: Pod, container: Container, src: EnvSources): Promise<ResolvedEnv> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  const invalidNames: string[] = [];
  for (const from of container.envFrom ?? []) {
    let data: Record<string, string> = {};
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      data = { ...cm.data };
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new EnvConfigError(`secret "${from.secretRef.name}" not found`);
      }
      data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decode(v)]));
    }
    for (const [k, v] of Object.entries(data)) {
      const key = (from.prefix ?? '') + k;
      if (!validName(key)) invalidNames.push(key);
      else vars.set(key, v);
    }
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      vars.set(e.name, expand(e.value ?? '', (n) => vars.get(n)));
      continue;
    }
    if (vf.fieldRef) vars.set(e.name, fieldValue(pod, vf.fieldRef.fieldPath));
    else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName ? pod.spec?.containers.find((c) => c.name === vf.resourceFieldRef!.containerName) ?? container : container;
      vars.set(e.name, resourceValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, src.allocatable));
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await src.configMap(ns, ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        throw new EnvConfigError(`configmap "${ref.name}" not found`);
      }
      const v = cm.data?.[ref.key] ?? (cm.binaryData?.[ref.key] !== undefined ? decode(cm.binaryData[ref.key]!) : undefined);
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
      vars.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await src.secret(ns, ref.name ?? '');
      if (!s) {
        if (ref.optional) continue;
        throw new EnvConfigError(`secret "${ref.name}" not found`);
      }
      const v = s.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      vars.set(e.name, decode(v));
    }
  }
  const lookup = (n: string) => vars.get(n);
  return {
    env: [...vars].map(([name, value]) => ({ name, value })),
    command: (container.command ?? []).map((c) => expand(c, lookup)),
    args: (container.args ?? []).map((a) => expand(a, lookup)),
    invalidNames,
  };
}
