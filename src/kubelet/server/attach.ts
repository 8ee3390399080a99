/**
 * @module kubelet/server/attach
 * `attach` on the kubelet: the same channel protocol as exec, connected to the container's
 * main process through the runtime (which decides whether stdin/tty are available).
 */
import type { UpgradeHandler } from './handlers.ts';
import { openChannelSession, type StreamDeps } from './exec.ts';
import { boolParam } from './streams/target.ts';

export function attachHandler(deps: StreamDeps): UpgradeHandler {
  return async (req, socket, head, target) => {
    const opened = await openChannelSession(deps, req, socket, head, target);
    if (!opened) return;
    const { session, containerId } = opened;
    const q = target.query;
    const tty = boolParam(q, 'tty');
    try {
      await deps.runtime.attach(containerId, {
        stdin: boolParam(q, 'stdin') ? session.stdin : undefined,
        stdout: boolParam(q, 'stdout') ? session.stdout : undefined,
        stderr: tty ? session.stdout : boolParam(q, 'stderr') ? session.stderr : undefined,
        tty,
        resize: tty ? session.resize() : undefined,
        signal: session.closed,
      });
      await session.finish({});
    } catch (err) {
      await session.finish({ error: (err as Error).message }).catch(() => undefined);
    }
  };
}
