/**
 * @module The Pod Security Standards checks (upstream k8s.io/pod-security-admission/policy), as
 * pure functions of a pod spec. Each failing check gives upstream's reason and detail, so the
 * joined message reads exactly as the real admission's. Ordered as upstream evaluates them:
 * the baseline checks by ID, then the restricted ones by ID.
 */
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export interface CheckResult { reason: string; detail: string }
type Check = (spec: PodSpec) => CheckResult | undefined;

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const containersWord = (names: string[]) => `${names.length === 1 ? 'container' : 'containers'} ${quoted(names)}`;
const allContainers = (s: PodSpec): Container[] => [...(s.initContainers ?? []), ...(s.containers ?? [])];
const names = (cs: Container[]) => cs.map((c) => c.name);

const baselineCaps = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

const capabilitiesBaseline: Check = (s) => {
  const bad = new Set<string>();
  const who = allContainers(s).filter((c) => {
    const add = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !baselineCaps.has(cap));
    add.forEach((cap) => bad.add(cap));
    return add.length > 0;
  });
  if (!who.length) return undefined;
  return { reason: 'non-default capabilities', detail: `${containersWord(names(who))} must not include ${quoted([...bad].sort())} in securityContext.capabilities.add` };
};

const hostNamespaces: Check = (s) => {
  const set = [s.hostNetwork && 'hostNetwork=true', s.hostPID && 'hostPID=true', s.hostIPC && 'hostIPC=true'].filter(Boolean);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
};

const hostPathVolumes: Check = (s) => {
  const vols = (s.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  return vols.length ? { reason: 'hostPath volumes', detail: `${vols.length === 1 ? 'volume' : 'volumes'} ${quoted(vols)}` } : undefined;
};

const hostPorts: Check = (s) => {
  const who: string[] = [];
  const ports: number[] = [];
  for (const c of allContainers(s)) {
    const hp = (c.ports ?? []).map((p) => p.hostPort ?? 0).filter((p) => p !== 0);
    if (hp.length) { who.push(c.name); ports.push(...hp); }
  }
  if (!who.length) return undefined;
  return { reason: 'hostPort', detail: `${containersWord(who)} ${who.length === 1 ? 'uses' : 'use'} ${ports.length === 1 ? 'hostPort' : 'hostPorts'} ${ports.join(', ')}` };
};

const privileged: Check = (s) => {
  const who = allContainers(s).filter((c) => c.securityContext?.privileged === true);
  return who.length ? { reason: 'privileged', detail: `${containersWord(names(who))} must not set securityContext.privileged=true` } : undefined;
};

const procMount: Check = (s) => {
  const who = allContainers(s).filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default');
  return who.length ? { reason: 'procMount', detail: `${containersWord(names(who))} must not set securityContext.procMount to ${quoted([...new Set(who.map((c) => c.securityContext!.procMount!))])}` } : undefined;
};

const seccompBaseline: Check = (s) => {
  const parts: string[] = [];
  if (s.securityContext?.seccompProfile?.type === 'Unconfined') parts.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
  const who = allContainers(s).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined');
  if (who.length) parts.push(`${containersWord(names(who))} must not set securityContext.seccompProfile.type to "Unconfined"`);
  return parts.length ? { reason: 'seccompProfile', detail: parts.join('; ') } : undefined;
};

const allowPrivilegeEscalation: Check = (s) => {
  const who = allContainers(s).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  return who.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersWord(names(who))} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const capabilitiesRestricted: Check = (s) => {
  const noDrop = allContainers(s).filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
  const bad = new Set<string>();
  const adds = allContainers(s).filter((c) => {
    const add = (c.securityContext?.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    add.forEach((cap) => bad.add(cap));
    return add.length > 0;
  });
  const parts: string[] = [];
  if (noDrop.length) parts.push(`${containersWord(names(noDrop))} must set securityContext.capabilities.drop=["ALL"]`);
  if (adds.length) parts.push(`${containersWord(names(adds))} must not include ${quoted([...bad].sort())} in securityContext.capabilities.add`);
  return parts.length ? { reason: 'unrestricted capabilities', detail: parts.join('; ') } : undefined;
};

const allowedVolumeKinds = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const restrictedVolumes: Check = (s) => {
  const bad: { name: string; kind: string }[] = [];
  for (const v of s.volumes ?? []) {
    const kind = Object.keys(v).find((k) => k !== 'name' && !allowedVolumeKinds.has(k));
    if (kind) bad.push({ name: v.name, kind });
  }
  if (!bad.length) return undefined;
  const kinds = [...new Set(bad.map((b) => b.kind))].sort();
  return {
    reason: 'restricted volume types',
    detail: `${bad.length === 1 ? 'volume' : 'volumes'} ${quoted(bad.map((b) => b.name))} ${bad.length === 1 ? 'uses' : 'use'} restricted volume ${kinds.length === 1 ? 'type' : 'types'} ${quoted(kinds)}`,
  };
};

const runAsNonRoot: Check = (s) => {
  const podSet = s.securityContext?.runAsNonRoot;
  const explicitFalse = allContainers(s).filter((c) => c.securityContext?.runAsNonRoot === false);
  const unset = allContainers(s).filter((c) => c.securityContext?.runAsNonRoot === undefined || c.securityContext.runAsNonRoot === null);
  const parts: string[] = [];
  if (podSet === false) parts.push('pod must not set securityContext.runAsNonRoot=false');
  if (explicitFalse.length) parts.push(`${containersWord(names(explicitFalse))} must not set securityContext.runAsNonRoot=false`);
  if (podSet !== true && unset.length) parts.push(`pod or ${containersWord(names(unset))} must set securityContext.runAsNonRoot=true`);
  return parts.length ? { reason: 'runAsNonRoot != true', detail: parts.join('; ') } : undefined;
};

const runAsUser: Check = (s) => {
  const parts: string[] = [];
  if (s.securityContext?.runAsUser === 0) parts.push('pod must not set runAsUser=0');
  const who = allContainers(s).filter((c) => c.securityContext?.runAsUser === 0);
  if (who.length) parts.push(`${containersWord(names(who))} must not set runAsUser=0`);
  return parts.length ? { reason: 'runAsUser=0', detail: parts.join('; ') } : undefined;
};

const seccompRestricted: Check = (s) => {
  const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const podType = s.securityContext?.seccompProfile?.type;
  const parts: string[] = [];
  if (podType !== undefined && !ok(podType)) parts.push(`pod must not set securityContext.seccompProfile.type to "${podType}"`);
  const badSet = allContainers(s).filter((c) => c.securityContext?.seccompProfile?.type !== undefined && !ok(c.securityContext.seccompProfile.type));
  if (badSet.length) parts.push(`${containersWord(names(badSet))} must not set securityContext.seccompProfile.type to ${quoted([...new Set(badSet.map((c) => c.securityContext!.seccompProfile!.type))])}`);
  if (!ok(podType)) {
    const unset = allContainers(s).filter((c) => c.securityContext?.seccompProfile?.type === undefined);
    if (unset.length) parts.push(`pod or ${containersWord(names(unset))} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  }
  return parts.length ? { reason: 'seccompProfile', detail: parts.join('; ') } : undefined;
};

const baselineChecks: Check[] = [capabilitiesBaseline, hostNamespaces, hostPathVolumes, hostPorts, privileged, procMount, seccompBaseline];
const restrictedChecks: Check[] = [allowPrivilegeEscalation, capabilitiesRestricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompRestricted];

/** Every failing check of `level` for the spec (empty: allowed). */
export function evaluate(level: Level, spec: PodSpec): CheckResult[] {
  if (level === 'privileged') return [];
  const checks = level === 'baseline' ? baselineChecks : [...baselineChecks, ...restrictedChecks];
  const out: CheckResult[] = [];
  for (const c of checks) {
    const r = c(spec);
    if (r) out.push(r);
  }
  // Upstream keeps one entry per reason (the restricted seccomp check supersedes the baseline one).
  const byReason = new Map<string, CheckResult>();
  for (const r of out) byReason.set(r.reason, byReason.has(r.reason) ? { reason: r.reason, detail: `${byReason.get(r.reason)!.detail}; ${r.detail}` } : r);
  return [...byReason.values()];
}

export const formatResults = (results: CheckResult[]): string => results.map((r) => `${r.reason} (${r.detail})`).join(', ');
