/**
 * @module kubelet/server/handlers
 * The contract between the kubelet HTTPS server (which authenticates the caller and
 * parses the route) and the streaming protocol handlers for exec, attach and
 * port-forward (which own the upgraded socket from then on).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What the route names: `/exec/{ns}/{pod}[/{uid}]/{container}`, `/portForward/{ns}/{pod}[/{uid}]`. */
export interface StreamTarget {
  namespace: string;
  pod: string;
  uid?: string;
  container?: string;
  query: URLSearchParams;
}

/**
 * Handles an upgrade request (WebSocket/SPDY) after the server authenticated it.
 * The handler owns `socket` and must end or destroy it.
 */
export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: StreamTarget,
) => void | Promise<void>;

/** Handlers the kubelet server dispatches to; absent ones are answered with a Status error. */
export interface StreamHandlers {
  exec?: UpgradeHandler;
  attach?: UpgradeHandler;
  portForward?: UpgradeHandler;
}
