/**
 * @module The request pipeline's input and output. The HTTPS listener and the in-process
 * transport both build an ApiRequest and call `handle`.
 */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ApiRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body?: Uint8Array;
  /** Aborted when the client goes away; watches end then. */
  signal: AbortSignal;
  /** Identity asserted by the transport: the client certificate's subject, or an in-process identity. */
  peer?: PeerIdentity;
}

export type PeerIdentity =
  | { kind: 'certificate'; commonName: string; organizations: string[] }
  | { kind: 'in-process'; user: UserInfo };

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Whole body, or a stream (watch, logs) that ends when the request's signal aborts. */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  /**
   * For an accepted connection upgrade (pods/exec, attach, portforward): takes over the
   * client's socket; `status`, `headers` and `body` are then unused.
   */
  upgrade?: (socket: import('node:stream').Duplex, head: Buffer) => void;
}
