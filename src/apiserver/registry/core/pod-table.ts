/**
 * @module The pod columns exactly as upstream prints them (printPod): READY, the STATUS
 * algorithm (init containers, waiting/terminated reasons, Completed→Running/NotReady,
 * Terminating), RESTARTS with the last restart's age, and the wide columns.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ageColumn, ageOf, column, nameColumn, since } from '../printing.ts';
import type { TableCell, TableColumn } from '../strategy.ts';

export const podColumns: TableColumn[] = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn,
  column('IP', 'string', 'The IP address assigned to the pod', 1),
  column('Node', 'string', 'The node that the pod is assigned to', 1),
  column('Nominated Node', 'string', 'The node that the pod is nominated to run on', 1),
  column('Readiness Gates', 'string', 'The readiness gates of the pod', 1),
];

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: string | undefined;
}

/** Upstream printPod's single pass over init and app container statuses (1.32, sidecar-aware). */
function summarize(pod: Pod): PodSummary {
  const status = pod.status ?? {};
  const initSpecs = pod.spec?.initContainers ?? [];
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const total = (pod.spec?.containers?.length ?? 0) + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart: string | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: string | undefined;
  const later = (a: string | undefined, b: string | undefined): string | undefined => (b && (!a || b > a) ? b : a);
  let reason = status.reason || status.phase || '';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';
  const initStatuses = status.initContainerStatuses ?? [];
  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    lastRestart = later(lastRestart, finished);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) {
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = status.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  return { ready, total, reason, restarts, lastRestart };
}

export function podCells(pod: Pod, now: Date): TableCell[] {
  const sum = summarize(pod);
  const gates = pod.spec?.readinessGates ?? [];
  let gatesCell = '<none>';
  if (gates.length) {
    const trueCount = gates.filter((g) => pod.status?.conditions?.some((c) => c.type === g.conditionType && c.status === 'True')).length;
    gatesCell = `${trueCount}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    `${sum.ready}/${sum.total}`,
    sum.reason,
    sum.restarts > 0 && sum.lastRestart ? `${sum.restarts} (${since(sum.lastRestart, now)} ago)` : String(sum.restarts),
    ageOf(pod as never, now),
    pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '<none>',
    pod.spec?.nodeName || '<none>',
    pod.status?.nominatedNodeName || '<none>',
    gatesCell,
  ];
}
