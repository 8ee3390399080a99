/**
 * @module Starting one container as upstream's startContainer does: image (name check, pull with
 * the pod's imagePullSecrets, or present),
 * environment and `$(VAR)` expansion (a missing ConfigMap/Secret key → CreateContainerConfigError),
 * mounts plus the termination-message file, create, start, then the postStart hook (a failed
 * hook kills the container). Returns a waiting reason when the container could not start.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';
import { containerResources } from './container-resources.ts';
import { EnvConfigError, resolveEnv } from './env.ts';
import { runHandler } from './hooks.ts';
import { imageNameError } from './images/image-name.ts';
import { pullSecretAuth } from './images/pull-secrets.ts';
import type { ContainerConfig, PodSandboxConfig } from './runtime/interface.ts';
import { mountsFor } from './volumes/manager.ts';
import { podDir, podUid, type KubeletDeps, type P } from './deps.ts';

export interface StartResult {
  waiting?: { reason: string; message: string };
  containerId?: string;
}

/** When each pod container's image pull last failed (the back-off runs from there) and why. */
const pullFailures = new Map<string, { at: number; message: string }>();

export const terminationLogPath = (d: KubeletDeps, pod: P, name: string, attempt: number) => join(podDir(d, pod), 'containers', name, `${attempt}-termination-log`);

export async function startContainer(
  d: KubeletDeps, pod: P, c: Container, attempt: number, sandboxId: string, sandbox: PodSandboxConfig, volumes: Map<string, string>, podIP: string,
): Promise<StartResult> {
  const rt = d.runtime;
  const image = c.image ?? '';
  let imageRef;
  const pullKey = `${podUid(pod)}/${c.name}/image`;
  // Upstream checks the name before anything else (applyDefaultImageTag) and never pulls it.
  const invalid = imageNameError(image);
  if (invalid) {
    const msg = `Failed to apply default image tag "${image}": ${invalid}`;
    d.recorder.event(pod, 'Warning', 'InspectFailed', msg);
    return { waiting: { reason: 'InvalidImageName', message: msg } };
  }
  const failed = pullFailures.get(pullKey);
  if (failed !== undefined && d.backoff.isInBackOffSince(pullKey, failed.at, Date.now())) {
    const msg = `Back-off pulling image "${image}"`;
    d.recorder.event(pod, 'Normal', 'BackOff', msg);
    d.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    // Since 1.30 the status message carries the last pull error; the event does not.
    return { waiting: { reason: 'ImagePullBackOff', message: `${msg}: ErrImagePull: ${failed.message}` } };
  }
  try {
    const present = await rt.images.imageStatus(image);
    const policy = c.imagePullPolicy ?? (image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
    if (present && policy !== 'Always') {
      imageRef = present;
      if (rt.name !== 'process') d.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    } else if (policy === 'Never' && !present) {
      d.recorder.event(pod, 'Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      return { waiting: { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` } };
    } else {
      const t0 = Date.now();
      if (rt.name !== 'process') d.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      // Secrets are read through the kubelet's client: the Node authorizer lets it read those of its pods.
      imageRef = await rt.images.pullImage(image, await pullSecretAuth(pod, image, d.secret));
      if (rt.name !== 'process') d.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${((Date.now() - t0) / 1000).toFixed(3)}s`);
    }
    pullFailures.delete(pullKey);
  } catch (err) {
    const msg = `Failed to pull image "${image}": ${(err as Error).message}`;
    pullFailures.set(pullKey, { at: Date.now(), message: msg });
    d.backoff.next(pullKey, Date.now());
    d.recorder.event(pod, 'Warning', 'Failed', msg);
    // Upstream's second event: the container's start error, by its waiting reason.
    d.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    return { waiting: { reason: 'ErrImagePull', message: msg } };
  }
  let env;
  let mounts;
  try {
    env = await resolveEnv(pod, c, { configMap: d.configMap, secret: d.secret, allocatable: d.allocatable });
    if (env.invalidNames.length)
      d.recorder.event(pod, 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${env.invalidNames.join(', ')}] from the EnvFrom configMap ${pod.metadata?.namespace} were skipped since they are considered invalid environment variable names.`);
    mounts = mountsFor(c, volumes, env.env);
    for (const m of mounts) if (m.hostPath !== volumes.get(m.volumeName ?? '')) await mkdir(m.hostPath, { recursive: true }).catch(() => {});
  } catch (err) {
    const msg = (err as Error).message;
    d.recorder.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
    return { waiting: { reason: err instanceof EnvConfigError ? 'CreateContainerConfigError' : 'CreateContainerError', message: msg } };
  }
  const termLog = terminationLogPath(d, pod, c.name, attempt);
  await mkdir(join(termLog, '..'), { recursive: true });
  await writeFile(termLog, '');
  mounts.push({ containerPath: c.terminationMessagePath ?? '/dev/termination-log', hostPath: termLog, readOnly: false });
  const config: ContainerConfig = {
    name: c.name,
    attempt,
    image: imageRef,
    command: env.command,
    args: env.args,
    env: env.env,
    workingDir: c.workingDir,
    mounts,
    resources: containerResources(c),
    security: {
      runAsUser: c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser,
      runAsGroup: c.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup,
      readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem,
      privileged: c.securityContext?.privileged,
      capabilitiesAdd: c.securityContext?.capabilities?.add,
      capabilitiesDrop: c.securityContext?.capabilities?.drop,
    },
    logPath: join(sandbox.logDirectory, c.name, `${attempt}.log`),
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    tty: !!c.tty,
    labels: { 'io.kubernetes.pod.uid': podUid(pod), 'io.kubernetes.container.name': c.name, 'io.kubernetes.pod.name': pod.metadata?.name ?? '', 'io.kubernetes.pod.namespace': pod.metadata?.namespace ?? '' },
    annotations: { 'io.kubernetes.container.terminationMessagePath': c.terminationMessagePath ?? '/dev/termination-log' },
  };
  let id: string;
  try {
    id = await rt.createContainer(sandboxId, config, sandbox);
  } catch (err) {
    const msg = (err as Error).message;
    d.recorder.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
    return { waiting: { reason: 'CreateContainerError', message: msg } };
  }
  d.recorder.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
  try {
    await rt.startContainer(id);
  } catch (err) {
    const msg = (err as Error).message;
    d.recorder.event(pod, 'Warning', 'Failed', `Error: ${msg}`);
    return { waiting: { reason: 'RunContainerError', message: msg }, containerId: id };
  }
  d.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  if (c.lifecycle?.postStart) {
    const grace = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const failed = await runHandler(c.lifecycle.postStart, rt, id, c, podIP, grace);
    if (failed) {
      d.recorder.event(pod, 'Warning', 'FailedPostStartHook', failed);
      d.recorder.event(pod, 'Normal', 'Killing', `FailedPostStartHook`);
      await rt.stopContainer(id, pod.spec?.terminationGracePeriodSeconds ?? 30);
    }
  }
  return { containerId: id };
}
