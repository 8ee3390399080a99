/**
 * @module kubelet/server/port-forward
 * `portForward` on the kubelet. Switches on what the client offers:
 *  - WebSocket `SPDY/3.1+portforward.k8s.io` (kubectl 1.32): a SPDY session tunnelled in
 *    binary WebSocket messages;
 *  - `Upgrade: SPDY/3.1` (kubectl's fallback, older clients): SPDY on the raw socket;
 *  - WebSocket `*.channel.k8s.io` with `?ports=` (`@kubernetes/client-node`).
 * Targets are dialled through the runtime inside the pod's network namespace.
 */
import { createWebSocketStream } from 'ws';
import type { UpgradeHandler } from './handlers.ts';
import type { StreamDeps } from './exec.ts';
import { parsePorts, servePortForwardChannels, servePortForwardSpdy } from './streams/port-forward.ts';
import { SpdySession } from './streams/spdy.ts';
import { findSandbox, TargetError } from './streams/target.ts';
import { acceptWebSocket, chooseChannelProtocol, isWebSocketUpgrade, offeredProtocols, rejectUpgrade } from './streams/websocket-channel.ts';

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export function portForwardHandler(deps: StreamDeps): UpgradeHandler {
  return async (req, socket, head, target) => {
    socket.on('error', () => undefined);
    let sandboxId: string;
    let uid: string;
    try {
      const sb = await findSandbox(deps.runtime, target);
      sandboxId = sb.id;
      uid = sb.uid;
    } catch (err) {
      const e = err instanceof TargetError ? err : new TargetError(500, 'InternalError', (err as Error).message);
      rejectUpgrade(socket, e.code, e.reason, e.message);
      return;
    }
    const dial = (port: number) => deps.runtime.portForward(sandboxId, port);
    const describe = (port: number, err: Error) => `error forwarding port ${port} to pod ${target.pod}, uid ${uid}: ${err.message}`;

    if (isWebSocketUpgrade(req)) {
      const offered = offeredProtocols(req);
      if (offered.includes(SPDY_TUNNEL_PROTOCOL)) {
        const ws = await acceptWebSocket(req, socket, head, SPDY_TUNNEL_PROTOCOL);
        if (!ws) return;
        const tunnel = createWebSocketStream(ws);
        tunnel.on('error', () => undefined);
        servePortForwardSpdy(new SpdySession(tunnel), dial, describe);
        return;
      }
      const protocol = chooseChannelProtocol(offered);
      const ports = parsePorts(target.query);
      if (!protocol) return rejectUpgrade(socket, 400, 'BadRequest', `no supported WebSocket subprotocol offered (want ${SPDY_TUNNEL_PROTOCOL} or v4.channel.k8s.io)`);
      if (!ports.length || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
        return rejectUpgrade(socket, 400, 'BadRequest', 'query parameter "ports" is required: one or more ports in 1-65535');
      }
      const ws = await acceptWebSocket(req, socket, head, protocol);
      if (!ws) return;
      servePortForwardChannels(ws, ports, dial, describe);
      return;
    }

    if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') {
      return rejectUpgrade(socket, 400, 'BadRequest', 'port-forward needs an Upgrade: websocket or SPDY/3.1 request');
    }
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
    if (!versions.includes(PORT_FORWARD_PROTOCOL)) {
      return rejectUpgrade(socket, 400, 'BadRequest', `unable to negotiate protocol: client supports ${versions.join(', ')}, server supports ${PORT_FORWARD_PROTOCOL}`);
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    servePortForwardSpdy(new SpdySession(socket), dial, describe);
  };
}
