/**
 * @module Pod IPs of one simulated node, handed out from its `spec.podCIDR` (or a fallback
 * range) the way a CNI host-local IPAM does: skip the network, gateway (.1) and broadcast
 * addresses, never give an address twice while a pod holds it. The addresses are never routed.
 */

function toInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A /24 in 10.128.0.0/9 for a node that has no podCIDR (no node IPAM running). */
export function fallbackPodCidr(seed: number): string {
  const i = seed % 32768;
  return `10.${128 + Math.floor(i / 256)}.${i % 256}.0/24`;
}

export class IPAllocator {
  readonly cidr: string;
  private readonly first: number;
  private readonly last: number;
  private next: number;
  /** ip → holder (pod uid) */
  private readonly used = new Map<string, string>();

  constructor(cidr: string) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
    const bits = Number(m[2]);
    if (bits < 8 || bits > 30) throw new Error(`pod CIDR ${cidr}: prefix must be /8 to /30`);
    const size = 2 ** (32 - bits);
    const base = Math.floor(toInt(m[1]!) / size) * size;
    this.cidr = cidr;
    this.first = base + 2; // .0 network, .1 gateway
    this.last = base + size - 2; // broadcast excluded
    this.next = this.first;
  }

  contains(ip: string): boolean {
    try {
      const n = toInt(ip);
      return n >= this.first - 1 && n <= this.last + 1;
    } catch {
      return false;
    }
  }

  get size(): number {
    return this.used.size;
  }

  /** Records an address a pod already holds (after a restart of the pool). */
  reserve(ip: string, holder: string): void {
    if (this.contains(ip)) this.used.set(ip, holder);
  }

  /** The holder's address, or a free one; undefined when the range is full. */
  allocate(holder: string): string | undefined {
    for (const [ip, h] of this.used) if (h === holder) return ip;
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const n = this.first + ((this.next - this.first + i) % span);
      const ip = toIP(n);
      if (!this.used.has(ip)) {
        this.used.set(ip, holder);
        this.next = n + 1 > this.last ? this.first : n + 1;
        return ip;
      }
    }
    return undefined;
  }

  release(holder: string): void {
    for (const [ip, h] of this.used) if (h === holder) this.used.delete(ip);
  }
}
