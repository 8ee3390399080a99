/**
 * @module kubelet/server/streams/target
 * Resolves what a streaming request names (namespace/pod[/uid], container) to the runtime's
 * sandbox and running container, the way the kubelet finds them through the CRI.
 */
import type { ContainerStatus, PodSandboxStatus, Runtime } from '../../runtime/interface.ts';
import type { StreamTarget } from '../handlers.ts';

export class TargetError extends Error {
  constructor(
    readonly code: 400 | 404 | 500,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export async function findSandbox(runtime: Runtime, t: StreamTarget): Promise<PodSandboxStatus> {
  const matches = (await runtime.listPodSandboxes())
    .filter((s) => s.namespace === t.namespace && s.name === t.pod && (!t.uid || s.uid === t.uid))
    .sort((a, b) => (a.state === b.state ? b.attempt - a.attempt : a.state === 'ready' ? -1 : 1));
  const sb = matches[0];
  if (!sb) throw new TargetError(404, 'NotFound', `pod ${t.namespace}/${t.pod} not found`);
  return sb;
}

export async function findContainer(runtime: Runtime, t: StreamTarget): Promise<ContainerStatus> {
  const sb = await findSandbox(runtime, t);
  const all = await runtime.listContainers({ sandboxId: sb.id });
  const named = t.container ? all.filter((c) => c.name === t.container) : all;
  if (!named.length) throw new TargetError(404, 'NotFound', `container ${t.container ?? ''} not found in pod ${t.namespace}/${t.pod}`.replace('  ', ' '));
  const running = named.filter((c) => c.state === 'running').sort((a, b) => b.attempt - a.attempt);
  if (!t.container && new Set(running.map((c) => c.name)).size > 1) {
    throw new TargetError(400, 'BadRequest', `a container name must be specified for pod ${t.pod}, choose one of: [${[...new Set(all.map((c) => c.name))].join(' ')}]`);
  }
  const c = running[0];
  if (!c) throw new TargetError(400, 'BadRequest', `container ${named[0]!.name} is not running in pod ${t.namespace}/${t.pod}`);
  return c;
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}
