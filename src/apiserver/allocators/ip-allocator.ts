/**
 * @module ClusterIP allocation from `--service-cidr` (upstream pkg/registry/core/service/
 * ipallocator): the network and broadcast addresses are never handed out; the first usable
 * address (.1 of 10.43.0.0/16) is reserved for the `kubernetes` Service and only given on
 * explicit request.
 */
import { RangeBitmap } from './bitmap.ts';

export class AllocationError extends Error {
  constructor(
    readonly kind: 'allocated' | 'not-in-range' | 'full',
    message: string,
  ) {
    super(message);
  }
}

export function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class IPAllocator {
  private readonly base: number;
  private readonly bits: RangeBitmap;

  constructor(readonly cidr: string) {
    const [addr, len] = cidr.split('/');
    const prefix = Number(len);
    const net = parseIPv4(addr ?? '');
    if (net === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`not an IPv4 service CIDR (/8 to /30): ${cidr}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    // Offsets count from the first usable address; network and broadcast are outside.
    this.base = ((net & mask) >>> 0) + 1;
    this.bits = new RangeBitmap(2 ** (32 - prefix) - 2);
  }

  /** The first usable address: the `kubernetes` Service's ClusterIP. */
  get firstIP(): string {
    return formatIPv4(this.base);
  }

  private offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const o = n - this.base;
    return o >= 0 && o < this.bits.size ? o : undefined;
  }

  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  isAllocated(ip: string): boolean {
    const o = this.offsetOf(ip);
    return o !== undefined && this.bits.has(o);
  }

  /** Takes a specific address; throws AllocationError with upstream's wording. */
  allocate(ip: string): void {
    const o = this.offsetOf(ip);
    if (o === undefined)
      throw new AllocationError('not-in-range', `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
    if (!this.bits.take(o)) throw new AllocationError('allocated', 'provided IP is already allocated');
  }

  allocateNext(): string {
    const o = this.bits.takeNext(Math.random, (x) => x === 0);
    if (o === undefined) throw new AllocationError('full', 'range is full');
    return formatIPv4(this.base + o);
  }

  release(ip: string): void {
    const o = this.offsetOf(ip);
    if (o !== undefined) this.bits.release(o);
  }

  get used(): number {
    return this.bits.used;
  }
}
