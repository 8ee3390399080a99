/**
 * @module Node IPAM ("node-ipam-controller"): hands each node a pod CIDR (`spec.podCIDR` and
 * `spec.podCIDRs`) carved from the cluster CIDR (`ctx.options.clusterCidr`, default
 * 10.42.0.0/16) in /24 blocks (`nodeCidrMaskSize`), as upstream's range allocator does
 * (pkg/controller/nodeipam/ipam/range_allocator.go). A block is released when its node goes
 * and is never handed out while a node holds it; the allocation is rebuilt from the nodes
 * themselves after a restart, so nothing is persisted. IPv4 only.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { podCIDRsOf } from '../api/node.ts';
import type { KubeObject } from '../api/object.ts';
import type { Informer } from '../client/cache/informer.ts';
import { refs } from '../client/refs.ts';
import { isConflict, isNotFound } from '../machinery/status.ts';
import { QueueRunner, type Controller, type ControllerContext, type ReconcileResult } from './framework/controller.ts';

export const controllerName = 'node-ipam-controller';
type N = Node & KubeObject;

function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const formatIPv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Upstream's CidrSet: the /maskSize blocks of one cluster CIDR, with a rotating cursor. */
export class CidrSet {
  private readonly base: number;
  private readonly used: Uint8Array;
  private next = 0;

  constructor(
    clusterCidr: string,
    private readonly maskSize = 24,
  ) {
    const [ip, bits] = clusterCidr.split('/');
    const base = parseIPv4(ip ?? '');
    const prefix = Number(bits);
    if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > maskSize || maskSize > 32)
      throw new Error(`invalid cluster CIDR ${clusterCidr} for /${maskSize} node blocks`);
    const hostBits = 32 - prefix;
    this.base = hostBits === 32 ? 0 : (base >>> hostBits) * 2 ** hostBits;
    this.used = new Uint8Array(2 ** (maskSize - prefix));
  }

  get size(): number {
    return this.used.length;
  }

  /** The block index of `cidr`, or undefined when it is not one of this set's blocks. */
  indexOf(cidr: string): number | undefined {
    const [ip, bits] = cidr.split('/');
    const n = parseIPv4(ip ?? '');
    if (n === undefined || Number(bits) !== this.maskSize) return undefined;
    const offset = n - this.base;
    const blockSize = 2 ** (32 - this.maskSize);
    if (offset < 0 || offset % blockSize !== 0 || offset / blockSize >= this.used.length) return undefined;
    return offset / blockSize;
  }

  cidrAt(i: number): string {
    return `${formatIPv4(this.base + i * 2 ** (32 - this.maskSize))}/${this.maskSize}`;
  }

  /** Marks a block as in use; false when it is not in this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used[i] = 1;
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used[i] = 0;
  }

  /** The next free block after the last one handed out; undefined when the range is full. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.used.length; k++) {
      const i = (this.next + k) % this.used.length;
      if (!this.used[i]) {
        this.used[i] = 1;
        this.next = (i + 1) % this.used.length;
        return this.cidrAt(i);
      }
    }
    return undefined;
  }
}

export class NodeIpamController implements Controller {
  readonly name = controllerName;
  private readonly runner: QueueRunner;
  private readonly nodes: Informer<N>;
  private readonly cidrs: CidrSet;
  /** node name → the block this controller knows it holds. */
  private readonly held = new Map<string, string>();
  private rebuilt = false;

  constructor(private readonly ctx: ControllerContext) {
    this.cidrs = new CidrSet(String(ctx.options?.clusterCidr ?? '10.42.0.0/16'), Number(ctx.options?.nodeCidrMaskSize ?? 24));
    // One worker: allocation is a read-modify-write of the shared set.
    this.runner = new QueueRunner(ctx, controllerName, (k) => this.reconcile(k), { workers: 1 });
    this.nodes = ctx.informers.informerFor<N>(refs.nodes);
    const enqueue = (n: N) => this.runner.enqueue(n.metadata!.name!);
    this.nodes.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.runner.run(signal);
  }

  private record(name: string, cidr: string): void {
    if (this.cidrs.occupy(cidr)) this.held.set(name, cidr);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    if (!this.rebuilt) {
      // After a restart: every block a node already holds is taken before anything is handed out.
      for (const n of this.nodes.store.list()) for (const c of podCIDRsOf(n)) this.record(n.metadata!.name!, c);
      this.rebuilt = true;
    }
    const node = this.nodes.store.getByName(undefined, name);
    if (!node) {
      const cidr = this.held.get(name);
      if (cidr) this.cidrs.release(cidr);
      this.held.delete(name);
      return;
    }
    const existing = podCIDRsOf(node);
    if (existing.length) {
      for (const c of existing) this.record(name, c);
      return;
    }
    const cidr = this.cidrs.allocateNext();
    if (!cidr) {
      this.ctx.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      // A block may be released by a node going away: try again later.
      return { requeueAfterMs: 30_000 };
    }
    try {
      await this.ctx.client
        .resource<N>(refs.nodes)
        .patch(name, 'merge', { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.held.set(name, cidr);
      this.ctx.logger.info('assigned pod CIDR', { node: name, cidr });
    } catch (err) {
      this.cidrs.release(cidr);
      if (isNotFound(err)) return;
      if (isConflict(err)) throw err; // the cache was stale: look again
      this.ctx.recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw err;
    }
  }
}
