/**
 * @module Pod sandboxes. Holder choice: no pause process. The pod's UTS and IPC namespaces are
 * made persistent by bind-mounting them onto files (`unshare --uts=FILE --ipc=FILE hostname
 * NAME`), exactly as `ip netns` keeps the network namespace; every container of the pod joins
 * these three paths. Nothing has to keep running for the pod to keep its namespaces, and a
 * restarted runtime finds them by path. The sandbox folder also holds the pod's hostname,
 * hosts and resolv.conf files that containers bind-mount.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { PodSandboxConfig } from '../interface.js';
import { must, run } from './cmd.js';
import type { IpAllocator } from './ipam.js';
import { setupPodNetwork, teardownPodNetwork, type BridgeConfig } from './network.js';
import { writeJson, type SandboxRecord } from './state.js';
import { timed } from './trace.js';

export interface SandboxDeps {
  stateDir: string;
  bridge: BridgeConfig;
  ipam: IpAllocator;
  routes: string[];
}

export function sandboxDir(stateDir: string, id: string): string {
  return join(stateDir, 'sandboxes', id);
}

/** The names a sandbox gets are derived from its id and uid, so a half-made one can be found. */
export function sandboxRecord(stateDir: string, id: string, config: PodSandboxConfig): SandboxRecord {
  const dir = sandboxDir(stateDir, id);
  const host = config.hostNetwork;
  const short = config.uid.replace(/-/g, '').slice(0, 8) + id.slice(0, 4);
  return {
    id, config, createdAt: Date.now(), ip: '', dir, stopped: false,
    netnsName: host ? '' : `skiff-${short}`,
    vethHost: host ? '' : `vsk${short}`.slice(0, 15),
    utsPath: host ? '' : join(dir, 'uts'),
    ipcPath: host ? '' : join(dir, 'ipc'),
  };
}

export async function createSandbox(deps: SandboxDeps, id: string, config: PodSandboxConfig): Promise<SandboxRecord> {
  const dir = sandboxDir(deps.stateDir, id);
  await mkdir(dir, { recursive: true });
  const rec = sandboxRecord(deps.stateDir, id, config);
  const host = config.hostNetwork;
  // Record first, so a failure half-way can still be torn down by stop/remove.
  await writeJson(join(dir, 'record.json'), rec);
  const hostname = host ? osHostname() : config.hostname || config.name;
  if (!host) {
    rec.ip = await timed('sandbox.ipam', () => deps.ipam.allocate(id));
    await writeJson(join(dir, 'record.json'), rec);
    // The network and the UTS/IPC namespaces do not depend on each other: made side by side.
    // Both settle before a failure is reported, so the caller's teardown never races a setup.
    const done = await Promise.allSettled([
      timed('sandbox.network', () => setupPodNetwork(deps.bridge, rec.netnsName, rec.vethHost, rec.ip, deps.routes, config.sysctls ?? {})),
      timed('sandbox.uts-ipc', async () => {
        await Promise.all([writeFile(rec.utsPath, ''), writeFile(rec.ipcPath, '')]);
        await must('unshare', [`--uts=${rec.utsPath}`, `--ipc=${rec.ipcPath}`, 'hostname', hostname]);
      }),
    ]);
    for (const r of done) if (r.status === 'rejected') throw r.reason;
  }
  await writeFile(join(dir, 'hostname'), hostname + '\n');
  await writeFile(join(dir, 'hosts'), hostsFile(rec.ip, hostname));
  await writeFile(join(dir, 'resolv.conf'), await resolvConf(config));
  return rec;
}

/** As the kubelet's managed /etc/hosts. */
function hostsFile(ip: string, hostname: string): string {
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  lines.push('fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters');
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}

async function resolvConf(config: PodSandboxConfig): Promise<string> {
  if (!config.dns) return readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const out: string[] = [];
  if (config.dns.searches.length) out.push(`search ${config.dns.searches.join(' ')}`);
  for (const s of config.dns.servers) out.push(`nameserver ${s}`);
  if (config.dns.options.length) out.push(`options ${config.dns.options.join(' ')}`);
  return out.join('\n') + '\n';
}

/** Network and namespace teardown; idempotent. The folder stays until remove. */
export async function teardownSandbox(deps: SandboxDeps, rec: SandboxRecord): Promise<void> {
  await teardownPodNetwork(rec.netnsName, rec.vethHost);
  for (const p of [rec.utsPath, rec.ipcPath]) if (p && existsSync(p)) await run('umount', [p]);
  await deps.ipam.release(rec.id);
}

export async function removeSandboxDir(rec: SandboxRecord): Promise<void> {
  await rm(rec.dir, { recursive: true, force: true });
}
