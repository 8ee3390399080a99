/**
 * @module Pod IP allocation from the node's podCIDR (IPv4), persisted under the stateDir so
 * that a restarted runtime never hands out an address a running pod still holds. The first
 * address of the range is the bridge (gateway); network and broadcast are never used.
 */
import { join } from 'node:path';
import { readJson, writeJson } from './state.js';

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  if (!ip || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`unsupported podCIDR ${cidr}`);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, prefix };
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`bad IPv4 ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The bridge address: first usable IP of the range. */
export function gatewayOf(c: Cidr): string {
  return intToIp(c.base + 1);
}

export class IpAllocator {
  private readonly file: string;
  private readonly cidr: Cidr;
  /** ip → owner (sandbox id). */
  private owners: Record<string, string> | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string, podCidr: string) {
    this.file = join(stateDir, 'ipam.json');
    this.cidr = parseCidr(podCidr);
  }

  allocate(owner: string): Promise<string> {
    return this.serial(async (owners) => {
      const existing = Object.entries(owners).find(([, o]) => o === owner);
      if (existing) return existing[0];
      const size = 2 ** (32 - this.cidr.prefix);
      for (let off = 2; off < size - 1; off++) {
        const ip = intToIp(this.cidr.base + off);
        if (!owners[ip]) {
          owners[ip] = owner;
          return ip;
        }
      }
      throw new Error(`no free pod IP in ${intToIp(this.cidr.base)}/${this.cidr.prefix}`);
    });
  }

  release(owner: string): Promise<void> {
    return this.serial(async (owners) => {
      for (const [ip, o] of Object.entries(owners)) if (o === owner) delete owners[ip];
    });
  }

  /** Allocations are read-modify-write on one file: serialise them. */
  private serial<R>(fn: (owners: Record<string, string>) => Promise<R>): Promise<R> {
    const next = this.lock.then(async () => {
      this.owners ??= (await readJson<Record<string, string>>(this.file)) ?? {};
      const r = await fn(this.owners);
      await writeJson(this.file, this.owners);
      return r;
    });
    this.lock = next.catch(() => undefined);
    return next;
  }
}
