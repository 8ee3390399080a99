/**
 * @module Pod networking by hand (what the CNI bridge plugin does): a network namespace per
 * pod (`ip netns add skiff-<uid prefix>`), a veth pair whose host end joins the node bridge and
 * whose other end is the pod's eth0 with an IP from the podCIDR. Only interfaces and
 * namespaces this module created are touched; no NAT and no default route leave the machine:
 * pods get on-link reach to the podCIDR plus any `routes` the caller asks for via the bridge.
 */
import { existsSync } from 'node:fs';
import { run, must } from './cmd.js';
import { gatewayOf, parseCidr } from './ipam.js';

export interface BridgeConfig {
  name: string;
  podCidr: string;
}

/** Creates the node bridge with the gateway address if it is not there yet (idempotent). */
export async function ensureBridge(b: BridgeConfig): Promise<void> {
  const c = parseCidr(b.podCidr);
  const addr = `${gatewayOf(c)}/${c.prefix}`;
  if ((await run('ip', ['link', 'show', b.name])).code !== 0) {
    const r = await run('ip', ['link', 'add', b.name, 'type', 'bridge']);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip link add ${b.name}: ${r.stderr}`);
  }
  const shown = await must('ip', ['-4', '-o', 'addr', 'show', 'dev', b.name]);
  if (!shown.includes(` ${addr} `)) {
    const r = await run('ip', ['addr', 'add', addr, 'dev', b.name]);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip addr add ${addr}: ${r.stderr}`);
  }
  await must('ip', ['link', 'set', b.name, 'up']);
}

export async function deleteBridge(name: string): Promise<void> {
  await run('ip', ['link', 'del', name]);
}

export interface PodNetwork {
  netnsName: string;
  vethHost: string;
  ip: string;
}

/**
 * Sets up netns + veth; safe to call again after a partial failure. A burst of pods is bound by
 * process spawns (each fork of the kubelet's process costs milliseconds on a loaded node), so
 * the work goes in three: one `ip -batch` on the host, one `ip -n <ns> -batch` inside the pod's
 * namespace, one `ip netns exec … sysctl` for all sysctls. Existence checks read /run/netns and
 * /sys/class/net instead of running `ip … show`.
 */
export async function setupPodNetwork(
  b: BridgeConfig,
  netnsName: string,
  vethHost: string,
  ip: string,
  routes: string[],
  sysctls: Record<string, string>,
): Promise<void> {
  const c = parseCidr(b.podCidr);
  const fresh = !existsSync(`/run/netns/${netnsName}`);
  // A namespace we just made has no eth0; an older one (retry after a partial failure) may.
  const needVeth = fresh || (await run('ip', ['-n', netnsName, 'link', 'show', 'eth0'])).code !== 0;
  const host: string[] = [];
  if (fresh) host.push(`netns add ${netnsName}`);
  if (needVeth) {
    // A stale host end (its peer died with an old namespace) would make `link add` fail.
    if (existsSync(`/sys/class/net/${vethHost}`)) host.push(`link del ${vethHost}`);
    host.push(`link add ${vethHost} type veth peer name eth0 netns ${netnsName}`);
  }
  host.push(`link set ${vethHost} master ${b.name} up`);
  // Hairpin: a pod reaching itself through its Service VIP gets the DNATed packet back on the
  // port it came from (as the CNI bridge plugin's hairpinMode).
  host.push(`link set dev ${vethHost} type bridge_slave hairpin on`);
  await ipBatch([], host);
  const inside = ['link set lo up', `addr replace ${ip}/${c.prefix} dev eth0`, 'link set eth0 up'];
  for (const r of routes) inside.push(`route replace ${r} via ${gatewayOf(c)} dev eth0`);
  await ipBatch(['-n', netnsName], inside);
  // Forwarding only inside the pod's namespace (services need it); never on the host.
  const all: Record<string, string> = { 'net.ipv4.ip_forward': '1', ...sysctls };
  const set = Object.entries(all).filter(([k]) => k.startsWith('net.')).map(([k, v]) => `${k}=${v}`);
  if (set.length) await must('ip', ['netns', 'exec', netnsName, 'sysctl', '-q', '-w', ...set]);
}

/** Runs `ip [pre] -batch -` with one command a line; stops at (and reports) the first failure. */
async function ipBatch(pre: string[], lines: string[]): Promise<void> {
  for (const l of lines) if (/[\n\r]/.test(l)) throw new Error(`bad ip command ${JSON.stringify(l)}`);
  await must('ip', [...pre, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

export async function teardownPodNetwork(netnsName: string, vethHost: string): Promise<void> {
  if (vethHost) await run('ip', ['link', 'del', vethHost]);
  if (netnsName && existsSync(`/run/netns/${netnsName}`)) await run('ip', ['netns', 'del', netnsName]);
}
