/**
 * @module How the client reaches an API server: over HTTPS, or in-process through the same
 * request pipeline. Both speak the same request/response shape.
 */
export interface TransportRequest {
  method: string;
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as a stream of chunks; read it fully for ordinary requests. */
  body: AsyncIterable<Uint8Array>;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
}
