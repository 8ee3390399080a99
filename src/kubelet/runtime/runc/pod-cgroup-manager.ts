/**
 * @module Keeps the pod and QoS cgroups of one runc runtime (layout in pod-cgroups.ts): makes
 * the node's `kubepods` root, the pod's tier and the pod cgroup with its limits before the
 * pod's containers exist, recomputes the burstable tier's shares when pods come and go, removes
 * a pod's cgroup with its last sandbox, and on clean-up the node root once it is empty. The
 * node roots it made are recorded in `<stateDir>/cgroup-roots.json`, so a later instance (agent
 * clean-up) can remove them.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import type { Logger } from '../../../util/log.js';
import type { PodSandboxConfig } from '../interface.js';
import { removeCgroupTree } from './cgroups.js';
import {
  applyCgroup, kubepodsSettings, ownedCgroup, podCgroupLayout, podCgroupSettings, tierSettings, type NodeAllocatable,
} from './pod-cgroups.js';
import { writeJson, type SandboxRecord } from './state.js';

export interface PodCgroupOptions {
  stateDir: string;
  /** The kubepods cgroup's limits; default the host's cpus and memory (no reservations). */
  nodeAllocatable?: NodeAllocatable;
  /** Upstream `podPidsLimit`: pids.max of every pod cgroup; unset or ≤ 0 for none. */
  podPidsLimit?: number;
  logger: Logger;
  /** The runtime's live sandboxes. */
  sandboxes(): SandboxRecord[];
}

export class PodCgroupManager {
  /** Node roots whose kubepods cgroup this instance has written. */
  private readonly ready = new Set<string>();
  /** Tier updates run one at a time, each from the sandboxes as they are when it runs. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: PodCgroupOptions) {}

  private get rootsFile(): string {
    return join(this.o.stateDir, 'cgroup-roots.json');
  }

  private async roots(): Promise<string[]> {
    try {
      const v: unknown = JSON.parse(await readFile(this.rootsFile, 'utf8'));
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && ownedCgroup(x)) : [];
    } catch {
      return [];
    }
  }

  /** Before the pod's containers: kubepods, the tier and the pod cgroup with its limits. */
  async podCreating(cfg: PodSandboxConfig): Promise<void> {
    const path = cfg.cgroupParent.replace(/\/$/, '');
    if (!ownedCgroup(path)) return;
    const layout = podCgroupLayout(path);
    if (layout) {
      if (!this.ready.has(layout.nodeRoot)) {
        const known = await this.roots();
        // Recorded before the cgroup exists, so clean-up finds it whatever happens next.
        if (!known.includes(layout.nodeRoot)) await writeJson(this.rootsFile, [...known, layout.nodeRoot]);
        const a = this.o.nodeAllocatable ?? {};
        await applyCgroup(layout.kubepods, kubepodsSettings({ cpuMillis: a.cpuMillis ?? cpus().length * 1000, memoryBytes: a.memoryBytes ?? totalmem(), ...(a.pids ? { pids: a.pids } : {}) }));
        this.ready.add(layout.nodeRoot);
      }
      if (layout.tier !== layout.kubepods) await applyCgroup(layout.tier, tierSettings(layout.qos, []));
    }
    await applyCgroup(path, podCgroupSettings(cfg.resources, this.o.podPidsLimit));
  }

  /** After a sandbox was added or removed: the tier's shares from the pods now in it. */
  tierChanged(cfg: PodSandboxConfig): Promise<void> {
    const layout = podCgroupLayout(cfg.cgroupParent.replace(/\/$/, ''));
    if (!layout || layout.qos !== 'Burstable') return Promise.resolve();
    this.chain = this.chain.then(async () => {
      const shares = this.o.sandboxes()
        .filter((s) => !s.stopped && podCgroupLayout(s.config.cgroupParent.replace(/\/$/, ''))?.tier === layout.tier)
        .map((s) => s.config.resources?.cpuShares ?? 0);
      await applyCgroup(layout.tier, tierSettings(layout.qos, shares));
    }).catch((e: unknown) => this.o.logger.warn('updating the QoS cgroup failed', { tier: layout.tier, err: (e as Error).message }));
    return this.chain;
  }

  /** Removes the pod cgroup (every hierarchy) unless another sandbox of the pod still uses it. */
  async podRemoved(cfg: PodSandboxConfig, sandboxId: string): Promise<void> {
    const others = this.o.sandboxes().some((s) => s.id !== sandboxId && s.config.cgroupParent === cfg.cgroupParent);
    if (!others) await removeCgroupTree(cfg.cgroupParent);
    await this.tierChanged(cfg);
  }

  /** Agent clean-up: every recorded node root, where empty (cgroups with tasks stay). */
  async removeNodeRoots(): Promise<void> {
    for (const r of await this.roots()) await removeCgroupTree(r);
    await rm(this.rootsFile, { force: true });
    this.ready.clear();
  }
}
