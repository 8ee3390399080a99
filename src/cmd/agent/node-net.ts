/**
 * @module Node-level networking of `skiff agent --runtime runc|crun`: IP forwarding (pods on
 * the node bridge reach other nodes' pods and Service VIPs through the node) is switched on
 * only where it is the agent's own business — in a network namespace other than the initial
 * one (a "node" in a namespace, as the multi-node tests run), or when `--enable-ip-forward`
 * asks for it explicitly. The host's own forwarding setting is never changed otherwise.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

/** True when this process's network namespace is not PID 1's (the initial one). */
export function inOwnNetns(): boolean {
  let self: number;
  try {
    self = statSync('/proc/self/ns/net').ino;
  } catch {
    return false;
  }
  try {
    return self !== statSync('/proc/1/ns/net').ino;
  } catch {
    // PID 1 hidden (a sandboxed /proc): a named namespace (`ip netns exec`) is not the initial one.
    try {
      return readdirSync('/run/netns').some((n) => {
        try {
          return statSync(`/run/netns/${n}`).ino === self;
        } catch {
          return false;
        }
      });
    } catch {
      // Unknown: assume the host, whose forwarding must not be changed.
      return false;
    }
  }
}

/** Turns IPv4 forwarding on when allowed; says what it did. */
export async function ensureIpForward(explicit: boolean): Promise<'enabled' | 'already' | 'skipped'> {
  if (!explicit && !inOwnNetns()) return 'skipped';
  const path = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(path, 'utf8')).trim() === '1') return 'already';
  await writeFile(path, '1\n');
  return 'enabled';
}
