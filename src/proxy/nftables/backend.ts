/**
 * @module The nftables proxy backend: one `ip` table per proxy, rewritten per sync as a single
 * `nft -f -` transaction (`ruleset.ts` renders it), optionally a route keeping the service CIDR
 * on the node bridge. It touches only its own table and its own route (tagged with a routing
 * protocol number), never another table, never a broad flush, never iptables-legacy.
 * `netns` runs every command inside a network namespace (`ip netns exec`), for tests and for
 * nodes that live in their own namespace.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../../util/log.ts';
import type { ProxyBackend, ProxyTable } from '../model.ts';
import { defaultTableName, renderRuleset, rulesetState, type RulesetState } from './ruleset.ts';

export interface NftablesBackendOptions {
  /** Defaults to `skiff_proxy_<node>` from the first synced table's node name. */
  tableName?: string;
  logger: Logger;
  /** `ip route replace <cidr> dev <dev>` so un-NATed VIP traffic stays on the node bridge. */
  serviceCidrRoute?: { cidr: string; dev: string };
  masqueradeAll?: boolean;
  /** The pod network; endpoints outside it (host addresses) are reached masqueraded. */
  clusterCidr?: string;
  /** Run `nft`/`ip` inside this network namespace. */
  netns?: string;
  /** Between two full rewrites (repairing hand edits); other syncs write only changes. Default 1 h, as upstream. */
  fullSyncIntervalMs?: number;
}

/** The routing protocol tag on the proxy's route (rtnetlink leaves 0-255 to users), so close removes only it. */
export const routeProtocol = '211';

export function createNftablesBackend(o: NftablesBackendOptions): ProxyBackend {
  return new NftablesBackend(o);
}

class NftablesBackend implements ProxyBackend {
  readonly name = 'nftables';
  private tableName: string | undefined;
  private previous: RulesetState | undefined;
  private routed = false;
  private lastFull = 0;
  private closed = false;
  /** Syncs and close run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: NftablesBackendOptions) {
    this.tableName = o.tableName;
    if (o.tableName !== undefined && !/^[a-z0-9_]{1,64}$/.test(o.tableName)) throw new Error(`invalid nftables table name "${o.tableName}": use [a-z0-9_]`);
  }

  sync(table: ProxyTable): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw new Error('nftables backend is closed');
      const tableName = (this.tableName ??= defaultTableName(table.nodeName));
      const masqueradeAll = this.o.masqueradeAll ?? false;
      const full = Date.now() - this.lastFull >= (this.o.fullSyncIntervalMs ?? 3_600_000);
      const clusterCidr = this.o.clusterCidr;
      const script = renderRuleset(table, { tableName, masqueradeAll, full, ...(clusterCidr ? { clusterCidr } : {}), ...(this.previous ? { previous: this.previous } : {}) });
      try {
        await this.run(['nft', '-f', '-'], script);
      } catch (err) {
        // The table may not be what we think (changed by hand, a partial failure): rebuild next time.
        this.previous = undefined;
        throw err;
      }
      this.previous = rulesetState(table, { all: masqueradeAll, ...(clusterCidr ? { clusterCidr } : {}) });
      if (full) this.lastFull = Date.now();
      const route = this.o.serviceCidrRoute;
      if (route && !this.routed) {
        await this.run(['ip', 'route', 'replace', route.cidr, 'dev', route.dev, 'proto', routeProtocol]);
        this.routed = true;
      }
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      const route = this.o.serviceCidrRoute;
      if (route && this.routed) {
        await this.run(['ip', 'route', 'del', route.cidr, 'dev', route.dev, 'proto', routeProtocol]).catch((err: Error) => this.o.logger.warn('removing the service CIDR route failed', { error: err.message }));
      }
      if (!this.tableName) return;
      await this.run(['nft', 'delete', 'table', 'ip', this.tableName]).catch((err: Error) => {
        if (!/No such file or directory/.test(err.message)) throw err;
      });
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private run(argv: string[], input?: string): Promise<void> {
    const full = this.o.netns ? ['ip', 'netns', 'exec', this.o.netns, ...argv] : argv;
    return new Promise((resolve, reject) => {
      const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${argv.join(' ')} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`));
      });
      // A command that exits before reading its input (a bad argument) must not crash the agent.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }
}
