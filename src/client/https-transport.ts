/**
 * @module The Transport a remote component (an agent) uses: HTTPS with Node's `https`, the
 * cluster CA, a client certificate or bearer token, and one keep-alive agent so requests
 * reuse connections. Response bodies stream (watches deliver events as they arrive); aborting
 * the request's signal closes the stream. The client certificate can be swapped on a live
 * transport (certificate rotation): new requests dial with it, and the old connections are
 * closed as client-go does, so nothing keeps authenticating with the old one.
 */
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { KubeconfigCredentials } from './kubeconfig.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

export interface HttpsTransport extends Transport {
  /** Closes idle connections; open watches end when their signals abort. */
  close(): void;
  /** Swaps the client certificate and key: later requests use them, old connections close. */
  setClientCertificate(cert: string, key: string): void;
}

function flatten(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function httpsTransport(creds: Pick<KubeconfigCredentials, 'server' | 'ca' | 'cert' | 'key' | 'token' | 'insecureSkipTLSVerify' | 'tlsServerName'>): HttpsTransport {
  const base = new URL(creds.server);
  if (base.protocol !== 'https:') throw new Error(`server ${creds.server}: only https:// is supported`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const newAgent = (cert: string | undefined, key: string | undefined) =>
    new Agent({
      keepAlive: true,
      maxFreeSockets: 16,
      ca: creds.ca,
      cert,
      key,
      rejectUnauthorized: !creds.insecureSkipTLSVerify,
      servername: creds.tlsServerName,
    });
  let agent = newAgent(creds.cert, creds.key);
  return {
    request(req: TransportRequest): Promise<TransportResponse> {
      const qs = req.query?.toString();
      const headers: Record<string, string> = { ...req.headers };
      if (creds.token) headers.authorization = `Bearer ${creds.token}`;
      if (req.body) headers['content-length'] = String(req.body.byteLength);
      return new Promise<TransportResponse>((resolve, reject) => {
        const r = request(
          {
            agent,
            protocol: 'https:',
            hostname: base.hostname.replace(/^\[|\]$/g, ''),
            port: base.port || 443,
            method: req.method,
            path: `${prefix}${req.path}${qs ? `?${qs}` : ''}`,
            headers,
            signal: req.signal,
          },
          (res) => resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: res }),
        );
        r.on('error', reject);
        r.end(req.body);
      });
    },
    close() {
      agent.destroy();
    },
    setClientCertificate(cert, key) {
      const old = agent;
      agent = newAgent(cert, key);
      // Open watches end with their connections; informers re-list and watch with the new one.
      old.destroy();
    },
  };
}
