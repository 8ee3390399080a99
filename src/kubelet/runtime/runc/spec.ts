/**
 * @module The OCI runtime config (config.json) for one container, from the kubelet's
 * ContainerConfig, the image config and the pod sandbox — following what containerd's CRI
 * plugin produces: Kubernetes command/args rules, env merged over the image's, user,
 * capabilities (default set + add − drop; privileged = all), cgroup limits, pod namespaces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig, ContainerResources, OciImageConfig } from '../interface.js';
import type { SandboxRecord } from './state.js';

/** containerd's / runc's default capability set. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const ALL_CAPS = [
  'CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ', 'CAP_AUDIT_WRITE', 'CAP_BLOCK_SUSPEND', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_KILL', 'CAP_LEASE', 'CAP_LINUX_IMMUTABLE', 'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE', 'CAP_MKNOD', 'CAP_NET_ADMIN',
  'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_RAW', 'CAP_PERFMON', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP',
  'CAP_SETUID', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_CHROOT', 'CAP_SYS_MODULE', 'CAP_SYS_NICE', 'CAP_SYS_PACCT',
  'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
];

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Kubernetes: command replaces Entrypoint (and drops Cmd); args alone replace Cmd. */
export function processArgs(c: Pick<ContainerConfig, 'command' | 'args'>, img: OciImageConfig): string[] {
  if (c.command.length) return [...c.command, ...c.args];
  return [...(img.Entrypoint ?? []), ...(c.args.length ? c.args : img.Cmd ?? [])];
}

/** Image env first, container env overriding by name (order of first appearance kept). */
export function mergeEnv(imageEnv: string[] = [], env: { name: string; value: string }[], hostname: string): string[] {
  const m = new Map<string, string>();
  for (const e of imageEnv) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  if (!m.has('PATH')) m.set('PATH', DEFAULT_PATH);
  m.set('HOSTNAME', hostname);
  for (const e of env) m.set(e.name, e.value);
  return [...m].map(([k, v]) => `${k}=${v}`);
}

export function normaliseCap(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

export function capabilities(sec: ContainerConfig['security']): string[] {
  if (sec.privileged) return ALL_CAPS;
  const add = (sec.capabilitiesAdd ?? []).map(normaliseCap);
  const drop = (sec.capabilitiesDrop ?? []).map(normaliseCap);
  let caps = add.includes('CAP_ALL') ? [...ALL_CAPS] : [...new Set([...DEFAULT_CAPS, ...add])];
  if (drop.includes('CAP_ALL')) caps = add.filter((c) => c !== 'CAP_ALL');
  return caps.filter((c) => !drop.includes(c));
}

/** runAsUser/runAsGroup win; otherwise the image's `User` (numeric or looked up in the rootfs). */
export function resolveUser(sec: ContainerConfig['security'], imageUser: string | undefined, rootfs: string) {
  let uid = 0;
  let gid = 0;
  if (imageUser) {
    const [u = '', g] = imageUser.split(':');
    uid = /^\d+$/.test(u) ? Number(u) : lookup(join(rootfs, 'etc/passwd'), u, 2) ?? 0;
    gid = g !== undefined ? (/^\d+$/.test(g) ? Number(g) : lookup(join(rootfs, 'etc/group'), g, 2) ?? 0) : lookupGid(rootfs, uid);
  }
  if (sec.runAsUser !== undefined) {
    uid = sec.runAsUser;
    if (sec.runAsGroup === undefined && !imageUser?.includes(':')) gid = lookupGid(rootfs, uid);
  }
  if (sec.runAsGroup !== undefined) gid = sec.runAsGroup;
  return { uid, gid, additionalGids: sec.supplementalGroups ?? [] };
}

function lookup(file: string, name: string, field: number): number | undefined {
  try {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.split(':')[0] === name);
    const v = line?.split(':')[field];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  } catch {
    return undefined;
  }
}

function lookupGid(rootfs: string, uid: number): number {
  try {
    const line = readFileSync(join(rootfs, 'etc/passwd'), 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    const g = line?.split(':')[3];
    return g && /^\d+$/.test(g) ? Number(g) : 0;
  } catch {
    return 0;
  }
}

/**
 * Containers get the node's hard NOFILE limit as soft and hard (raising above it is refused
 * without CAP_SYS_RESOURCE in the caller's namespace, as on this machine).
 */
export function nofileLimit(): { hard: number; soft: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = Number(line?.trim().split(/\s+/)[4]);
    if (Number.isFinite(hard) && hard > 0) return { hard, soft: hard };
  } catch {
    /* fall through */
  }
  return { hard: 1024, soft: 1024 };
}

/** CFS quota with the default 100 ms period, as the kubelet's MilliCPUToQuota (min 1 ms). */
export function linuxResources(r: ContainerResources, privileged: boolean): Record<string, unknown> {
  const cpu: Record<string, number> = {};
  if (r.cpuLimitMillis !== undefined && r.cpuLimitMillis > 0) {
    cpu.period = 100000;
    cpu.quota = Math.max(1000, Math.floor((r.cpuLimitMillis * 100000) / 1000));
  }
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  const out: Record<string, unknown> = { devices: [{ allow: privileged, access: 'rwm' }] };
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) out.memory = { limit: r.memoryLimitBytes };
  return out;
}

export interface SpecInput {
  config: ContainerConfig;
  image: OciImageConfig;
  sandbox: SandboxRecord;
  rootfs: string;
  cgroupsPath: string;
  hostname: string;
}

export function buildSpec(inp: SpecInput): Record<string, unknown> {
  const { config: c, image: img, sandbox: sb } = inp;
  const sec = c.security;
  const caps = capabilities(sec);
  const privileged = !!sec.privileged;
  const args = processArgs(c, img);
  if (!args.length) throw new Error('no command specified: the image has no Entrypoint/Cmd and the container no command');
  const namespaces: { type: string; path?: string }[] = [{ type: 'pid' }, { type: 'mount' }];
  if (sb.netnsName) {
    namespaces.push({ type: 'network', path: `/run/netns/${sb.netnsName}` });
    namespaces.push({ type: 'uts', path: sb.utsPath }, { type: 'ipc', path: sb.ipcPath });
  }
  const mounts: Record<string, unknown>[] = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    privileged
      ? { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind', 'rw'] }
      : { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] },
  ];
  const own = new Set(c.mounts.map((m) => m.containerPath));
  for (const f of ['hosts', 'hostname', 'resolv.conf']) {
    if (!own.has(`/etc/${f}`)) mounts.push({ destination: `/etc/${f}`, type: 'bind', source: join(sb.dir, f), options: ['rbind', 'rprivate', 'rw'] });
  }
  for (const m of c.mounts) {
    const opts = ['rbind', m.propagation ?? 'rprivate', m.readOnly ? 'ro' : 'rw'];
    mounts.push({ destination: m.containerPath, type: 'bind', source: m.hostPath, options: opts });
  }
  return {
    ociVersion: '1.0.2',
    process: {
      // conmon --terminal (a tty container) takes the pty master runc creates for it.
      terminal: c.tty,
      user: resolveUser(sec, img.User, inp.rootfs),
      args,
      env: mergeEnv(img.Env, c.env, inp.hostname),
      cwd: c.workingDir || img.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: privileged ? caps : [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', ...nofileLimit() }],
      noNewPrivileges: !privileged && sec.allowPrivilegeEscalation === false,
      oomScoreAdj: undefined,
    },
    root: { path: inp.rootfs, readonly: !!sec.readOnlyRootFilesystem },
    hostname: undefined,
    mounts,
    annotations: { ...c.annotations, 'io.kubernetes.container.name': c.name, 'io.kubernetes.pod.uid': sb.config.uid },
    linux: {
      cgroupsPath: inp.cgroupsPath,
      namespaces,
      resources: linuxResources(c.resources, privileged),
      maskedPaths: privileged
        ? []
        : ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
      readonlyPaths: privileged ? [] : ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
