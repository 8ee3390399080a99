/**
 * @module NodePort allocation from `--service-node-port-range` (upstream pkg/registry/core/
 * service/portallocator), with upstream's error wording.
 */
import { RangeBitmap } from './bitmap.ts';
import { AllocationError } from './ip-allocator.ts';

export function parsePortRange(spec: string): { base: number; size: number } {
  const m = /^(\d+)-(\d+)$/.exec(spec.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new Error(`not a port range (e.g. 30000-32767): ${spec}`);
  return { base: lo, size: hi - lo + 1 };
}

export class PortAllocator {
  private readonly base: number;
  private readonly bits: RangeBitmap;

  constructor(readonly range: string) {
    const r = parsePortRange(range);
    this.base = r.base;
    this.bits = new RangeBitmap(r.size);
  }

  contains(port: number): boolean {
    return port >= this.base && port < this.base + this.bits.size;
  }

  isAllocated(port: number): boolean {
    return this.contains(port) && this.bits.has(port - this.base);
  }

  allocate(port: number): void {
    if (!this.contains(port))
      throw new AllocationError('not-in-range', `provided port is not in the valid range. The range of valid ports is ${this.range}`);
    if (!this.bits.take(port - this.base)) throw new AllocationError('allocated', 'provided port is already allocated');
  }

  allocateNext(): number {
    const o = this.bits.takeNext();
    if (o === undefined) throw new AllocationError('full', 'range is full');
    return this.base + o;
  }

  release(port: number): void {
    if (this.contains(port)) this.bits.release(port - this.base);
  }

  get used(): number {
    return this.bits.used;
  }
}
