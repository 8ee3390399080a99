/**
 * @module What a userspace proxy listener forwards to: the service port it serves (for metric
 * labels) and the balancer of the right endpoint list. A sync swaps a listener's route in
 * place, so endpoint changes reach new connections without rebinding the socket.
 */
import type { Balancer } from './balancer.ts';

export interface Route {
  /** `namespace/name:portName`, the metric label. */
  service: string;
  balancer: Balancer;
}

export interface ProxyListener {
  /** The port actually bound (an ephemeral one when asked for 0, as the redirect listeners are). */
  readonly port: number;
  setRoute(route: Route): void;
  /** Stops accepting and ends the connections/sessions still open. */
  close(): Promise<void>;
}

/** The client's IP as affinity keys it (IPv4-mapped IPv6 reduced to IPv4). */
export function clientAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
