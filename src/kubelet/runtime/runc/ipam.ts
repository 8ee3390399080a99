/**
 * @module Pod IP allocation from the node's podCIDR (IPv4), persisted under the stateDir so
 * that a restarted runtime never hands out an address a running pod still holds. The first
 * address of the range is the bridge (gateway); network and broadcast are never used.
 */
import { join } from 'node:path';
import { intToIp, ipToInt } from '../../../util/ipv4.ts';
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

/** The bridge address: first usable IP of the range. */
export function gatewayOf(c: Cidr): string {
  return intToIp(c.base + 1);
}

export class IpAllocator {
  private readonly file: string;
  private readonly cidr: Cidr;
  /** ip → owner (sandbox id), loaded once. */
  private owners: Promise<Record<string, string>> | undefined;
  /** The write in progress, and whether another must follow it (changes made meanwhile). */
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(stateDir: string, podCidr: string) {
    this.file = join(stateDir, 'ipam.json');
    this.cidr = parseCidr(podCidr);
  }

  /** Resolves once the allocation is on disk, so a restarted runtime cannot hand the IP out again. */
  async allocate(owner: string): Promise<string> {
    const owners = await this.load();
    const existing = Object.entries(owners).find(([, o]) => o === owner);
    if (existing) {
      await this.persist();
      return existing[0];
    }
    const size = 2 ** (32 - this.cidr.prefix);
    for (let off = 2; off < size - 1; off++) {
      const ip = intToIp(this.cidr.base + off);
      if (!owners[ip]) {
        // Taken synchronously in memory: concurrent allocations never see the same free IP.
        owners[ip] = owner;
        await this.persist();
        return ip;
      }
    }
    throw new Error(`no free pod IP in ${intToIp(this.cidr.base)}/${this.cidr.prefix}`);
  }

  async release(owner: string): Promise<void> {
    const owners = await this.load();
    for (const [ip, o] of Object.entries(owners)) if (o === owner) delete owners[ip];
    await this.persist();
  }

  private load(): Promise<Record<string, string>> {
    this.owners ??= readJson<Record<string, string>>(this.file).then((o) => o ?? {});
    return this.owners;
  }

  /**
   * Group commit: the file is rewritten whole, so one write covers every change made before it
   * began. A burst of 100 sandboxes used to queue 100 serial writes behind one lock; now
   * changes made while a write runs share the single write that follows it.
   */
  private persist(): Promise<void> {
    if (!this.writing) {
      const w = (async () => writeJson(this.file, await this.load()))().finally(() => {
        if (this.writing === w) this.writing = undefined;
      });
      this.writing = w;
      return w;
    }
    this.next ??= this.writing.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.persist();
    });
    return this.next;
  }
}
