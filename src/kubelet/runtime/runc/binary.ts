/** @module Which OCI runtime binary to drive: runc or crun, `auto` preferring runc (it has `events`). */
import { existsSync } from 'node:fs';
import { run } from './cmd.js';

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

export function findBinary(name: string): string | undefined {
  for (const d of SEARCH) if (existsSync(`${d}/${name}`)) return `${d}/${name}`;
  return undefined;
}

export function resolveBinary(choice: 'runc' | 'crun' | 'auto'): { name: 'runc' | 'crun'; path: string } {
  const order: ('runc' | 'crun')[] = choice === 'auto' ? ['runc', 'crun'] : [choice];
  for (const name of order) {
    const path = findBinary(name);
    if (path) return { name, path };
  }
  throw new Error(`no OCI runtime found (${order.join(', ')})`);
}

/** True when this process can run OCI containers: root, a runtime and conmon. */
export function runcAvailable(): boolean {
  return process.getuid?.() === 0 && (!!findBinary('runc') || !!findBinary('crun')) && !!findBinary('conmon');
}

export async function binaryVersion(path: string): Promise<string> {
  const out = (await run(path, ['--version'])).stdout;
  return /version\s+(\S+)/.exec(out)?.[1] ?? 'unknown';
}
