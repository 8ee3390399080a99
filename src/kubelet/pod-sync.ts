/**
 * @module One sync of one pod (upstream SyncPod / SyncTerminatingPod): drive the runtime towards
 * the spec — sandbox, volumes, init containers in order, then containers with their restart
 * policy, back-off (CrashLoopBackOff) and probe results — and report the status; or, for a
 * pod being deleted, run preStop hooks, stop containers within the grace period (SIGTERM,
 * then SIGKILL), tear down, and delete the pod object with grace 0.
 */
import { readFile } from 'node:fs/promises';
import type { Container } from 'kubernetes-types/core/v1.js';
import { goDuration } from './backoff.ts';
import { startContainer, terminationLogPath } from './container-start.ts';
import { formatPod, podDir, podLogDir, podUid, type KubeletDeps, type P } from './deps.ts';
import { podDnsConfig } from './dns-config.ts';
import { podCgroupConfig } from './qos.ts';
import { runHandler } from './hooks.ts';
import { tailLog } from './logs.ts';
import { computePodStatus, type ContainerView } from './pod-status.ts';
import type { ContainerStatus, PodSandboxConfig } from './runtime/interface.ts';
import { tokenSourceFor } from './volumes/service-account-token.ts';
import { VolumeSetUpError } from './volumes/manager.ts';
import { claimSourceFor } from './volumes/claims.ts';

export interface SyncResult {
  /** Come back after this many ms (back-off expiry or resync). */
  requeueAfterMs: number;
  /** The pod is gone: the worker can be dropped. */
  finished?: boolean;
}

const isolationWarned = new Set<string>();

export function sandboxConfig(d: KubeletDeps, pod: P, attempt: number): PodSandboxConfig {
  return {
    uid: podUid(pod), name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', attempt,
    hostname: pod.spec?.hostname ?? pod.metadata?.name ?? '', hostNetwork: !!pod.spec?.hostNetwork,
    portMappings: (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ protocol: (p.protocol ?? 'TCP') as 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, hostIP: p.hostIP }))),
    labels: { ...pod.metadata?.labels, 'io.kubernetes.pod.uid': podUid(pod) }, annotations: { ...pod.metadata?.annotations },
    logDirectory: podLogDir(d, pod), ...podCgroupConfig(d.nodeName, pod),
    dns: podDnsConfig(pod, d.dns),
  };
}

/** Runtime containers of a sandbox by container name, newest attempt first. */
function byName(list: ContainerStatus[]): Map<string, ContainerStatus[]> {
  const m = new Map<string, ContainerStatus[]>();
  for (const c of list) m.set(c.name, [...(m.get(c.name) ?? []), c]);
  for (const v of m.values()) v.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  return m;
}

const messages = new Map<string, string>();

/** terminationMessagePath content (or the log tail with FallbackToLogsOnError), read once per container. */
async function terminationMessage(d: KubeletDeps, pod: P, spec: Container, c: ContainerStatus, logDir: string): Promise<string> {
  if (c.state !== 'exited') return '';
  const cached = messages.get(c.id);
  if (cached !== undefined) return cached;
  let msg = (await readFile(terminationLogPath(d, pod, spec.name, c.attempt), 'utf8').catch(() => '')).slice(0, 4096);
  if (!msg && c.exitCode !== 0 && spec.terminationMessagePolicy === 'FallbackToLogsOnError') msg = await tailLog(`${logDir}/${spec.name}/${c.attempt}.log`);
  messages.set(c.id, msg);
  return msg;
}

export async function findSandbox(d: KubeletDeps, uid: string) {
  const all = (await d.runtime.listPodSandboxes()).filter((s) => s.uid === uid).sort((a, b) => b.createdAt - a.createdAt);
  return { ready: all.find((s) => s.state === 'ready'), all };
}

export async function syncPod(d: KubeletDeps, pod: P): Promise<SyncResult> {
  const uid = podUid(pod);
  const rt = d.runtime;
  const spec = pod.spec!;
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  const sandboxes = await findSandbox(d, uid);
  let sandbox = sandboxes.ready;
  const cfg = sandboxConfig(d, pod, sandbox?.attempt ?? sandboxes.all.length);
  if (!sandbox && !terminal) {
    const id = await rt.runPodSandbox(cfg);
    sandbox = await rt.podSandboxStatus(id);
    if (rt.name === 'process' && !isolationWarned.has(uid)) {
      isolationWarned.add(uid);
      d.recorder.event(pod, 'Warning', 'NoIsolation', 'the process runtime runs this pod\'s containers as plain host processes: no image, no filesystem or network isolation, no resource limits');
    }
  }
  const podIP = sandbox?.ip || d.hostIP;
  const views = { init: new Map<string, ContainerView>(), containers: new Map<string, ContainerView>() };
  let requeue = d.resyncMs;
  // A finished pod's sandbox is stopped, but its exited containers still make its status.
  const shown = sandbox ?? sandboxes.all[0];
  const running = shown ? byName(await rt.listContainers({ sandboxId: shown.id })) : new Map<string, ContainerStatus[]>();
  const view = async (c: Container): Promise<ContainerView> => {
    const [current, previous] = running.get(c.name) ?? [];
    if (current) current.message = (await terminationMessage(d, pod, c, current, cfg.logDirectory)) || current.message;
    if (previous) previous.message = (await terminationMessage(d, pod, c, previous, cfg.logDirectory)) || previous.message;
    return { current, previous, restartCount: current?.attempt ?? 0, ready: false, started: false };
  };
  for (const c of spec.initContainers ?? []) views.init.set(c.name, await view(c));
  for (const c of spec.containers) views.containers.set(c.name, await view(c));

  let volumes = new Map<string, string>();
  let volumesOk = false;
  if (!terminal && sandbox) {
    try {
      volumes = await d.volumes.setUp(pod, podDir(d, pod), { configMap: d.configMap, secret: d.secret, allocatable: d.allocatable, serviceAccountToken: tokenSourceFor(d.client), claims: claimSourceFor(d.client, d.nodeName) });
      volumesOk = true;
    } catch (err) {
      // VolumeSetUpError carries upstream's message; anything else is still a set-up failure.
      const msg = err instanceof VolumeSetUpError ? err.message : `MountVolume.SetUp failed: ${(err as Error).message}`;
      d.recorder.event(pod, 'Warning', 'FailedMount', msg);
      requeue = Math.min(requeue, 2000);
    }
  }
  const policy = spec.restartPolicy ?? 'Always';
  const now = Date.now();
  /** Starts (or, after the back-off, restarts) a container; returns whether it runs now. */
  const ensureStarted = async (c: Container, v: ContainerView): Promise<void> => {
    const cur = v.current;
    const attempt = cur ? cur.attempt + 1 : 0;
    const key = `${uid}/${c.name}`;
    if (cur) {
      if (d.backoff.isInBackOffSince(key, cur.finishedAt, now)) {
        v.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(d.backoff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}` };
        requeue = Math.min(requeue, d.backoff.remaining(key, cur.finishedAt, now) + 50);
        return;
      }
      d.backoff.next(key, now);
    }
    const r = await startContainer(d, pod, c, attempt, sandbox!.id, cfg, volumes, podIP);
    if (r.waiting) {
      v.waiting = r.waiting;
      requeue = Math.min(requeue, 2000);
    }
    if (r.containerId) {
      const st = await rt.containerStatus(r.containerId);
      if (st) {
        v.previous = cur;
        v.current = st;
        v.restartCount = st.attempt;
      }
    }
  };

  let initDone = true;
  if (!terminal && sandbox && volumesOk) {
    for (const c of spec.initContainers ?? []) {
      const v = views.init.get(c.name)!;
      const cur = v.current;
      if (c.restartPolicy === 'Always') {
        // A sidecar: started once, kept running, and the next init container goes once it runs.
        if (cur?.state !== 'running') await ensureStarted(c, v);
        if (v.current?.state === 'running') continue;
        initDone = false;
        break;
      }
      if (cur?.state === 'exited' && cur.exitCode === 0) continue;
      initDone = false;
      if (cur?.state === 'running') break;
      if (!cur || policy !== 'Never') await ensureStarted(c, v);
      break;
    }
    if (initDone)
      for (const c of spec.containers) {
        const v = views.containers.get(c.name)!;
        let cur = v.current;
        if (cur?.state === 'running') {
          const live = d.probes.result(uid, c.name, cur.id, 'liveness');
          const startup = d.probes.result(uid, c.name, cur.id, 'startup');
          if (live === 'failure' || startup === 'failure') {
            d.recorder.event(pod, 'Normal', 'Killing', `Container ${c.name} failed ${live === 'failure' ? 'liveness' : 'startup'} probe, will be restarted`);
            await stopOne(d, pod, c, cur, spec.terminationGracePeriodSeconds ?? 30, podIP);
            cur = (await rt.containerStatus(cur.id)) ?? cur;
            v.current = cur;
          }
        }
        if (cur?.state === 'running') continue;
        if (!cur || cur.state === 'created' || policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0)) await ensureStarted(c, v);
      }
  }
  // Probes and readiness of whatever runs now (containers and sidecars).
  const probed = [...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...spec.containers];
  for (const c of probed) {
    const v = (views.containers.get(c.name) ?? views.init.get(c.name))!;
    const cur = v.current;
    if (cur?.state !== 'running') {
      d.probes.remove(uid, c.name);
      continue;
    }
    d.probes.ensure(pod, c, cur.id, cur.startedAt, podIP);
    const startup = d.probes.result(uid, c.name, cur.id, 'startup');
    v.started = startup === undefined || startup === 'success';
    const ready = d.probes.result(uid, c.name, cur.id, 'readiness');
    v.ready = v.started && (ready === undefined || ready === 'success');
  }
  const status = computePodStatus(pod, {
    runtimeName: rt.name, sandboxReady: !!sandbox && sandbox.state === 'ready', hostIP: d.hostIP, podIP, now: new Date(), ...views,
  });
  await d.status.setStatus(pod, status);
  if ((status.phase === 'Succeeded' || status.phase === 'Failed') && sandbox) {
    // Nothing will run again: release the sandbox (containers stay for logs until the pod goes).
    await rt.stopPodSandbox(sandbox.id);
    d.probes.remove(uid);
  }
  return { requeueAfterMs: requeue };
}

/** preStop then stop, within `graceSeconds` in all. */
async function stopOne(d: KubeletDeps, pod: P, c: Container | undefined, st: ContainerStatus, graceSeconds: number, podIP: string): Promise<void> {
  const deadline = Date.now() + graceSeconds * 1000;
  if (c?.lifecycle?.preStop && st.state === 'running') {
    const failed = await runHandler(c.lifecycle.preStop, d.runtime, st.id, c, podIP, graceSeconds * 1000);
    if (failed) d.recorder.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${failed}`);
  }
  // Upstream gives the container at least 2 s after the hook.
  await d.runtime.stopContainer(st.id, Math.max(Math.ceil((deadline - Date.now()) / 1000), graceSeconds > 0 ? 2 : 0));
}

/** Stops everything of a pod that is being deleted (or is gone from the API); deletes the object. */
export async function terminatePod(d: KubeletDeps, pod: P, stillInApi: boolean): Promise<SyncResult> {
  const uid = podUid(pod);
  const rt = d.runtime;
  const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  const { all } = await findSandbox(d, uid);
  const specs = new Map([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [c.name, c]));
  d.probes.remove(uid);
  const podIP = all[0]?.ip || d.hostIP;
  for (const sb of all) {
    const all = await rt.listContainers({ sandboxId: sb.id });
    for (const c of all) messages.delete(c.id);
    const list = all.filter((c) => c.state === 'running');
    await Promise.all(
      list.map(async (st) => {
        d.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${st.name}`);
        await stopOne(d, pod, specs.get(st.name), st, grace, podIP);
      }),
    );
    await rt.stopPodSandbox(sb.id);
  }
  await d.volumes.tearDown(podDir(d, pod));
  if (stillInApi) await d.status.deletePod(pod);
  for (const sb of all) await rt.removePodSandbox(sb.id);
  d.backoff.forget(`${uid}/`);
  d.status.forget(uid);
  isolationWarned.delete(uid);
  return { requeueAfterMs: 0, finished: true };
}
