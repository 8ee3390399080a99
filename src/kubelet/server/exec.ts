/**
 * @module kubelet/server/exec
 * `exec` on the kubelet: after the server routed and authenticated the request, find the
 * running container, speak the channel.k8s.io WebSocket protocol (v5 for kubectl 1.32,
 * older versions for other clients) and run the command through the runtime. SPDY
 * upgrades are refused with a Status, which kubectl reports as the error.
 */
import type { Runtime } from '../runtime/interface.ts';
import type { UpgradeHandler } from './handlers.ts';
import { boolParam, findContainer, TargetError } from './streams/target.ts';
import { acceptWebSocket, ChannelSession, chooseChannelProtocol, isWebSocketUpgrade, offeredProtocols, rejectUpgrade } from './streams/websocket-channel.ts';

export interface StreamDeps {
  runtime: Runtime;
}

/**
 * Common front half of exec and attach: validates the upgrade, resolves the container and
 * completes the handshake; returns undefined after answering an error itself.
 */
export async function openChannelSession(
  deps: StreamDeps,
  ...[req, socket, head, target]: Parameters<UpgradeHandler>
): Promise<{ session: ChannelSession; containerId: string } | undefined> {
  socket.on('error', () => undefined);
  // Resolve first: kubectl shows the error of its SPDY fallback, which must be the real one.
  let containerId: string;
  try {
    containerId = (await findContainer(deps.runtime, target)).id;
  } catch (err) {
    if (err instanceof TargetError) rejectUpgrade(socket, err.code, err.reason, err.message);
    else rejectUpgrade(socket, 500, 'InternalError', (err as Error).message);
    return undefined;
  }
  if (!isWebSocketUpgrade(req)) {
    rejectUpgrade(socket, 400, 'BadRequest', 'only WebSocket (v5.channel.k8s.io) streaming is supported; SPDY is not');
    return undefined;
  }
  const protocol = chooseChannelProtocol(offeredProtocols(req));
  if (!protocol) {
    rejectUpgrade(socket, 400, 'BadRequest', `no supported WebSocket subprotocol offered (want one of v5.channel.k8s.io, v4.channel.k8s.io, …)`);
    return undefined;
  }
  const q = target.query;
  if (!boolParam(q, 'stdin') && !boolParam(q, 'stdout') && !boolParam(q, 'stderr')) {
    rejectUpgrade(socket, 400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    return undefined;
  }
  const ws = await acceptWebSocket(req, socket, head, protocol);
  if (!ws) return undefined;
  return { session: new ChannelSession(ws, protocol), containerId };
}

export function execHandler(deps: StreamDeps): UpgradeHandler {
  return async (req, socket, head, target) => {
    const command = target.query.getAll('command');
    if (!command.length) {
      rejectUpgrade(socket, 400, 'BadRequest', 'you must specify at least one command for the container');
      return;
    }
    const opened = await openChannelSession(deps, req, socket, head, target);
    if (!opened) return;
    const { session, containerId } = opened;
    const q = target.query;
    const tty = boolParam(q, 'tty');
    try {
      const code = await deps.runtime.exec(containerId, command, {
        stdin: boolParam(q, 'stdin') ? session.stdin : undefined,
        stdout: boolParam(q, 'stdout') ? session.stdout : undefined,
        // With a terminal there is one output stream; kubectl does not even open stderr.
        stderr: tty ? session.stdout : boolParam(q, 'stderr') ? session.stderr : undefined,
        tty,
        resize: tty ? session.resize() : undefined,
        signal: session.closed,
      });
      await session.finish({ exitCode: code, command });
    } catch (err) {
      await session.finish({ error: (err as Error).message }).catch(() => undefined);
    }
  };
}
