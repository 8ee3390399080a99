/**
 * @module Scrapes one kubelet's `/metrics/resource` over HTTPS, at the Node's InternalIP (else
 * ExternalIP) and `status.daemonEndpoints.kubeletEndpoint.Port`, presenting the API server's
 * kubelet-client certificate and verifying the kubelet's serving certificate against the
 * cluster CA — the same TLS setup the API server uses for pod logs and exec.
 */
import { request } from 'node:https';
import { isIPv4 } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { parseResourceMetrics } from './parse.ts';
import type { NodePoint } from './types.ts';

export interface KubeletTls {
  cert: string;
  key: string;
  ca: string;
}

/** Where a node's kubelet listens, or a reason it cannot be scraped. */
export function kubeletAddress(node: Node): { host: string; port: number } | string {
  const addrs = node.status?.addresses ?? [];
  const host = ['InternalIP', 'ExternalIP'].map((t) => addrs.find((a) => a.type === t)?.address).find((a) => a !== undefined);
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  if (!host) return 'node has no InternalIP or ExternalIP address';
  if (port <= 0 || port > 65535) return 'node reports no kubelet endpoint port';
  return { host, port };
}

export function scrapeKubelet(node: Node, tls: KubeletTls, timeoutMs: number, signal?: AbortSignal): Promise<NodePoint> {
  const name = node.metadata?.name ?? '';
  const addr = kubeletAddress(node);
  if (typeof addr === 'string') return Promise.reject(new Error(addr));
  const path = '/metrics/resource';
  const url = `https://${addr.host}:${addr.port}${path}`;
  return new Promise<NodePoint>((resolve, reject) => {
    const started = Date.now();
    const req = request(
      { host: addr.host, port: addr.port, path, method: 'GET', cert: tls.cert, key: tls.key, ca: tls.ca, servername: isIPv4(addr.host) ? undefined : addr.host, timeout: timeoutMs, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`request failed, status: ${res.statusCode} ${body.slice(0, 200)}`));
          resolve(parseResourceMetrics(name, body, started));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": timeout after ${timeoutMs}ms`)));
    req.on('error', (err) => reject(new Error(`Get "${url}": ${err.message}`)));
    req.end();
  });
}
