/**
 * @module Which log file `/containerLogs` reads for a pod's container, with the kubelet's
 * errors (upstream `validateContainerLogStatus`) when there is nothing to read yet.
 * Files are `<agentDir>/logs/<ns>_<pod>_<uid>/<container>/<restartCount>.log`.
 */
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { LogSource } from './logs.ts';

/**
 * The file to read, or the error message for a 400. `current` re-reads the pod (from the
 * kubelet's cache) so a follow notices the container stopping.
 */
export function logTarget(pod: Pod, agentDir: string, container: string, previous: boolean, current: () => Pod | undefined = () => pod): LogSource | string {
  const name = pod.metadata?.name ?? '';
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const st: ContainerStatus | undefined = all.find((s) => s.name === container);
  const known = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].some((c) => c.name === container);
  if (!known) return `container ${container} is not valid for pod ${name}`;
  const dir = `${agentDir}/logs/${pod.metadata?.namespace}_${name}_${pod.metadata?.uid}/${container}`;
  const restarts = st?.restartCount ?? 0;
  const running = () => {
    const p = current();
    const cur = [...(p?.status?.initContainerStatuses ?? []), ...(p?.status?.containerStatuses ?? [])].find((s) => s.name === container);
    // A restart writes a new file: the follow of this one is over then.
    return !!cur?.state?.running && (cur.restartCount ?? 0) === restarts;
  };
  if (previous) {
    if (!st?.lastState?.terminated || restarts < 1) return `previous terminated container "${container}" in pod "${name}" not found`;
    return { path: `${dir}/${restarts - 1}.log`, running: () => false };
  }
  if (st?.state?.running || st?.state?.terminated) return { path: `${dir}/${restarts}.log`, running };
  if (st?.lastState?.terminated && restarts >= 1) return { path: `${dir}/${restarts - 1}.log`, running: () => false };
  const reason = st?.state?.waiting?.reason;
  if (reason === 'ErrImagePull') return `container "${container}" in pod "${name}" is waiting to start: image can't be pulled`;
  if (reason === 'ImagePullBackOff') return `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`;
  if (reason) return `container "${container}" in pod "${name}" is waiting to start: ${reason}`;
  return `container "${container}" in pod "${name}" is waiting to start - no logs yet`;
}
