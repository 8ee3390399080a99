/**
 * @module A container's cgroup resources from its spec, as the kubelet's
 * generateLinuxContainerResources does: CFS quota from limits.cpu, cpu.shares from requests.cpu
 * (MilliCPUToShares, minimum 2 so best-effort containers get the smallest weight), and the
 * memory limit from limits.memory. The runtime turns these into the OCI spec.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from './quantity.ts';
import type { ContainerResources } from './runtime/interface.ts';

const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const SHARES_PER_CPU = 1024;

/** Upstream MilliCPUToShares. */
export function milliCpuToShares(milli: number): number {
  if (milli <= 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milli * SHARES_PER_CPU) / 1000)));
}

export function containerResources(c: Container): ContainerResources {
  const cores = (q: string | number | undefined) => {
    const v = parseQuantity(q);
    // Quantities round up to whole millicores, as resource.Quantity.MilliValue does.
    return v === undefined ? undefined : Math.ceil(Math.round(v * 1e9) / 1e6);
  };
  const cpuLimit = cores(c.resources?.limits?.cpu);
  // The API defaults requests to limits, but a bare request-less pod may still arrive unset.
  const cpuRequest = cores(c.resources?.requests?.cpu) ?? cpuLimit ?? 0;
  const memory = parseQuantity(c.resources?.limits?.memory);
  const out: ContainerResources = { cpuShares: milliCpuToShares(cpuRequest) };
  if (cpuLimit !== undefined && cpuLimit > 0) out.cpuLimitMillis = cpuLimit;
  if (memory !== undefined && memory > 0) out.memoryLimitBytes = Math.floor(memory);
  return out;
}
