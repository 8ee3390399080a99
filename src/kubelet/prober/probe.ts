/**
 * @module One probe attempt (upstream pkg/probe): exec through the runtime (exit 0 succeeds),
 * httpGet (a 2xx/3xx answer succeeds; redirects are not followed), tcpSocket (a connection
 * succeeds) and grpc. Each attempt is bounded by timeoutSeconds; the output is what the
 * `Unhealthy` event carries.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/interface.ts';
import { grpcProbe } from './grpc.ts';

export interface ProbeResult {
  ok: boolean;
  output: string;
}

export interface ProbeTarget {
  runtime: Runtime;
  containerId: string;
  container: Container;
  /** Address HTTP/TCP/gRPC probes dial when the probe names no host (the pod IP). */
  podIP: string;
}

function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  if (named) return named.containerPort;
  const n = Number(port);
  if (!Number.isInteger(n)) throw new Error(`unable to find port "${port}" in container ${c.name}`);
  return n;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    if (this.text.length < 10_240) this.text += chunk.toString();
    cb();
  }
}

export async function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const out = new Capture();
    const cmd = probe.exec.command ?? [];
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true), timeoutMs);
    try {
      const code = await t.runtime.exec(t.containerId, cmd, { tty: false, stdout: out, stderr: out, timeoutMs });
      if (timedOut) return { ok: false, output: `command "${cmd.join(' ')}" timed out` };
      return { ok: code === 0, output: out.text.trim() };
    } catch (err) {
      return { ok: false, output: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(g.port, t.container);
    const host = g.host || t.podIP;
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const path = g.path ?? '/';
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
    return await new Promise<ProbeResult>((resolve) => {
      const fn = scheme === 'https' ? httpsRequest : request;
      const req = fn(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => body.length < 10_240 && (body += d.toString()));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ ok: true, output: body });
          else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
      req.on('error', (err) => resolve({ ok: false, output: err.message.startsWith('Get "') ? err.message : `Get "${url}": ${err.message}` }));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    const host = probe.tcpSocket.host || t.podIP;
    return await new Promise<ProbeResult>((resolve) => {
      const sock = connect({ host, port, timeout: timeoutMs }, () => {
        sock.destroy();
        resolve({ ok: true, output: '' });
      });
      sock.on('timeout', () => sock.destroy(new Error(`dial tcp ${host}:${port}: i/o timeout`)));
      sock.on('error', (err) => resolve({ ok: false, output: err.message.startsWith('dial') ? err.message : `dial tcp ${host}:${port}: ${err.message}` }));
    });
  }
  if (probe.grpc) return await grpcProbe(t.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
  return { ok: false, output: 'probe has no handler' };
}
