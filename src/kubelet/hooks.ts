/**
 * @module Lifecycle handlers (postStart, preStop): exec through the runtime, httpGet against
 * the pod, or sleep — the same handler shapes upstream's lifecycle package runs. A handler
 * that fails resolves with its error message; the caller decides (postStart failure kills
 * the container, preStop failure only records an event).
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import type { Container, LifecycleHandler } from 'kubernetes-types/core/v1.js';
import type { Runtime } from './runtime/interface.ts';

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: string, cb: () => void) {
    if (this.text.length < 4096) this.text += c.toString();
    cb();
  }
}

/** Runs a handler; resolves with undefined on success or the failure message. */
export async function runHandler(h: LifecycleHandler, runtime: Runtime, containerId: string, container: Container, podIP: string, timeoutMs: number): Promise<string | undefined> {
  if (h.exec) {
    const out = new Sink();
    try {
      const code = await runtime.exec(containerId, h.exec.command ?? [], { tty: false, stdout: out, stderr: out, timeoutMs });
      return code === 0 ? undefined : `command '${(h.exec.command ?? []).join(' ')}' exited with ${code}: ${out.text}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const port = typeof g.port === 'number' ? g.port : (container.ports?.find((p) => p.name === g.port)?.containerPort ?? Number(g.port));
    const url = `http://${g.host || podIP}:${port}${g.path ?? '/'}`;
    return await new Promise<string | undefined>((resolve) => {
      const req = request(url, { timeout: timeoutMs, headers: Object.fromEntries((g.httpHeaders ?? []).map((x) => [x.name, x.value])) }, (res) => {
        res.resume();
        res.on('end', () => resolve((res.statusCode ?? 0) < 400 ? undefined : `HTTP lifecycle hook (${g.path ?? '/'}) for Container "${container.name}" returned status ${res.statusCode}`));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve(`Get "${url}": ${err.message}`));
      req.end();
    });
  }
  const sleep = (h as { sleep?: { seconds: number } }).sleep;
  if (sleep) {
    await new Promise((r) => setTimeout(r, Math.min(sleep.seconds * 1000, timeoutMs)));
    return undefined;
  }
  return 'handler has no action';
}
